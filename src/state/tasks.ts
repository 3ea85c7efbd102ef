/**
 * `.shipshape/tasks.json`: the pack's post-generation tasks (`npm install`, ...) of the last
 * `generate`, each with how it ended. Written before the first task runs (every task `pending`)
 * and after each one ends, so a run cut short, by Ctrl-C or by a killed process, leaves a task
 * that is not `ran` behind: `status` reads it and tells that stage 3 is not finished.
 * A task with `inputs` that ran records the sha256 of each input then (null for one that did not
 * exist): the next generate skips it while they and its command are the same and its `outputs`
 * exist, so a re-generate that changed no dependency does not rerun `npm install`. A pending or
 * interrupted task has no hashes, so what it left half-done is never trusted.
 * One schema, for the writer (scaffold/run.ts) and the readers (scaffold/tasks.ts, stages/components.ts).
 */
import * as z from 'zod';

export const TASKS_FILE = '.shipshape/tasks.json';

export const TASK_STATES = ['pending', 'ran', 'failed', 'skipped', 'interrupted'] as const;

/**
 * The schemas, built on first use: `generate` and `status` load this module, and a project has no
 * tasks record before its first generate.
 */
function buildSchemas() {
  const inputHashesSchema = z.record(
    z.string(),
    z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
  );

  const tasksStateSchema = z.strictObject({
    version: z.literal(1),
    /** ISO 8601: when generate started the tasks. */
    startedAt: z.string(),
    tasks: z.array(
      z.strictObject({
        name: z.string(),
        command: z.string(),
        status: z.enum(TASK_STATES),
        reason: z.string().optional(),
        inputs: inputHashesSchema.optional(),
      }),
    ),
  });
  return { inputHashesSchema, tasksStateSchema };
}
type Schemas = ReturnType<typeof buildSchemas>;
let built: Schemas | undefined;
const schemas = (): Schemas => (built ??= buildSchemas());

export type InputHashes = z.infer<Schemas['inputHashesSchema']>;
export type TasksState = z.infer<Schemas['tasksStateSchema']>;

export function serializeTasks(state: TasksState): string {
  return `${JSON.stringify(schemas().tasksStateSchema.parse(state), null, 2)}\n`;
}

/** The tasks record from parsed JSON; an error message when it is not one (status reports it, never throws). */
export function readTasksLeniently(value: unknown): { value: TasksState } | { error: string } {
  const parsed = schemas().tasksStateSchema.safeParse(value);
  if (parsed.success) return { value: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { error: `${issue.path.join('.') || 'file'}: ${issue.message}` };
}

/** The first task of the record that did not finish: interrupted, or still pending (the process was killed). */
export function unfinishedTask(state: TasksState): TasksState['tasks'][number] | undefined {
  return state.tasks.find((task) => task.status === 'pending' || task.status === 'interrupted');
}
