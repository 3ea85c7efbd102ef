/**
 * `.shipshape/tasks.json`, written by `generate` after a pack task with `inputs` succeeds: the
 * command it ran and the sha256 of each input file then (null for one that did not exist). The
 * next generate skips the task when both are the same and its `outputs` exist: a re-generate that
 * changed no dependency does not rerun `npm install`.
 */
import * as z from 'zod';

export const TASKS_FILE = '.shipshape/tasks.json';

const taskRecordSchema = z.object({
  command: z.string(),
  inputs: z.record(
    z.string(),
    z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
  ),
});

const tasksStateSchema = z.object({
  version: z.literal(1),
  tasks: z.record(z.string(), taskRecordSchema),
});

export type TasksState = z.infer<typeof tasksStateSchema>;

/**
 * The record as read from disk. It only ever saves work: a file that is missing, unreadable or of
 * another shape means "run the tasks", never an error.
 */
export function readTasksState(value: unknown): TasksState {
  const result = tasksStateSchema.safeParse(value);
  return result.success ? result.data : { version: 1, tasks: {} };
}
