/**
 * `shipshape init`: plan the spec (from answers or a bundled example), confirm it, then write it
 * with its JSON Schema. Nothing touches the disk before the plan is complete and confirmed, so an
 * interrupted run leaves nothing behind.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rmdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { writeFilesAtomic } from '../fs/atomic.js';
import { jsonSchema } from '../spec/json-schema.js';
import { loadSpecText } from '../spec/load.js';
import type { Spec } from '../spec/schema.js';
import { didYouMean } from '../spec/suggest.js';
import { readYamlFile, validate, type Diagnostic } from '../spec/yaml-file.js';
import { ANSWERS_SHAPE, answersFileSchema, type AnswersFile } from './answers.js';
import { SPEC_FILE } from '../spec/locate.js';
import { buildSpec, completeAnswers, renderSpec, SCHEMA_FILE, SCHEMA_LINE } from './build.js';
import { flagOf, type ScalarKey } from './questions.js';
import { resolveAnswers, type Prompter } from './resolve.js';
import { readTextBounded } from '../fs/read.js';
import { exampleFiles } from './example-files.js';

export interface InitOptions {
  /** Where the spec goes; relative paths are taken from cwd. */
  dir: string;
  cwd: string;
  force?: boolean;
  yes?: boolean;
  /** May prompt: a terminal, not CI. */
  interactive: boolean;
  prompter?: Prompter;
  /** Raw flag values by answer key. */
  flags?: Partial<Record<ScalarKey, string>>;
  /** An answers file (YAML or JSON), relative to cwd. */
  answers?: string;
  /** A bundled example to start from, by name. */
  from?: string;
  /** The package root, which holds examples/. */
  packageRoot: string;
  /** Why init may not prompt (`CI is set`, `standard input is not a terminal`), for the missing-answers error. */
  noPrompt?: string;
}

export interface InitPlan {
  file: string;
  schemaFile: string;
  spec: Spec;
  text: string;
  /** True when answers were prompted for: the plan is then confirmed before it is written. */
  prompted: boolean;
  /** The files an example brings beside its spec (examples/NAME/), absolute paths. */
  extraFiles: { path: string; content: Buffer }[];
}

export interface InitResult {
  file: string;
  spec: Spec;
  /** False when the user declined the summary. */
  written: boolean;
}

function fromDiagnostics(diagnostics: Diagnostic[], hint: string): UserError {
  const [first, ...rest] = diagnostics;
  const more = rest.map((d) => `\n  ${d.file}:${d.line}:${d.column} ${d.message}`).join('');
  return new UserError(`${first!.message}${more}`, {
    file: first!.file,
    position: { line: first!.line, column: first!.column },
    hint: first!.hint ?? hint,
  });
}

/** The bundled examples, by name. */
export async function exampleNames(packageRoot: string): Promise<string[]> {
  const files = await readdir(join(packageRoot, 'examples')).catch(() => [] as string[]);
  return files
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

async function exampleText(packageRoot: string, name: string): Promise<string> {
  const names = await exampleNames(packageRoot);
  // Only listed names are read, so --from cannot reach outside examples/.
  if (!names.includes(name)) {
    const suggestion = didYouMean(name, names);
    throw new UserError(`unknown example "${name}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`, {
      hint: `Available examples: ${names.join(', ') || '(none)'}.`,
    });
  }
  return readTextBounded(join(packageRoot, 'examples', `${name}.yaml`));
}

async function readAnswersFile(path: string, displayName: string): Promise<AnswersFile> {
  const parsed = await readYamlFile(path, displayName, 'answers file').catch((error: unknown) => {
    throw new UserError(`cannot read answers file ${displayName}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      hint: 'Check the path given to --answers.',
      cause: error,
    });
  });
  if (parsed.diagnostics.length > 0) throw fromDiagnostics(parsed.diagnostics, 'Fix the YAML or JSON syntax of the answers file.');
  const { data, diagnostics } = validate(parsed, answersFileSchema);
  if (!data) {
    diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
    throw fromDiagnostics(diagnostics, ANSWERS_SHAPE);
  }
  return data;
}

function refuseOverwrite(file: string, force: boolean | undefined, cwd: string): void {
  if (force || !existsSync(file)) return;
  throw new UserError(`${relative(cwd, file) || file} already exists`, {
    hint: 'Pass --force to overwrite it, or --dir to write the spec in another folder.',
  });
}

/** Works out the spec to write, prompting where needed; writes nothing. */
export async function planInit(options: InitOptions): Promise<InitPlan> {
  const dir = resolve(options.cwd, options.dir);
  const file = join(dir, SPEC_FILE);
  const schemaFile = join(dir, SCHEMA_FILE);
  refuseOverwrite(file, options.force, options.cwd);

  let text: string;
  let prompted = false;
  let extraFiles: InitPlan['extraFiles'] = [];
  if (options.from !== undefined) {
    const given = Object.keys(options.flags ?? {}).map((key) => `--${flagOf(key as ScalarKey)}`);
    if (given.length > 0) {
      throw new UserError(`--from writes the example as it is, so it takes no answers (${given.join(' ')})`, {
        hint: 'Drop --from to answer the questions, or edit the spec once it is written.',
      });
    }
    text = `${SCHEMA_LINE}\n${await exampleText(options.packageRoot, options.from)}`;
    // exampleText checked the name, so this folder is inside examples/.
    const files = await exampleFiles(join(options.packageRoot, 'examples', options.from));
    extraFiles = files.map((f) => ({ path: join(dir, f.path), content: f.content }));
    for (const extra of extraFiles) refuseOverwrite(extra.path, options.force, options.cwd);
  } else {
    const file = options.answers === undefined ? undefined : await readAnswersFile(resolve(options.cwd, options.answers), options.answers);
    const resolved = await resolveAnswers({
      flags: options.flags ?? {},
      ...(file ? { file } : {}),
      yes: options.yes ?? false,
      interactive: options.interactive,
      ...(options.prompter ? { prompter: options.prompter } : {}),
      context: { dir },
      ...(options.noPrompt ? { noPrompt: options.noPrompt } : {}),
    });
    prompted = resolved.prompted;
    text = renderSpec(buildSpec(completeAnswers(resolved.draft)));
  }
  const loaded = loadSpecText(SPEC_FILE, text);
  if (!loaded.spec || loaded.diagnostics.length > 0) {
    throw fromDiagnostics(loaded.diagnostics, 'The answers do not make a valid spec together; fix the ones named.');
  }
  return { file, schemaFile, spec: loaded.spec, text, prompted, extraFiles };
}

/** The lines shown before the user confirms the plan. */
export function summarize(plan: InitPlan, cwd: string): string {
  const { metadata, business, slo, models, failureModes } = plan.spec;
  const lines = [
    `Service     ${metadata.name} (tier ${metadata.tier}), owned by ${metadata.owner}${metadata.team ? `, team ${metadata.team}` : ''}`,
    `Metric      ${business.metric.name}: ${business.metric.baseline} -> ${business.metric.target} (${business.metric.direction})`,
    `Success     ${business.successCriteria?.map((c) => c.id).join(', ') || 'none'}`,
    `SLO         ${slo.availability}% over ${slo.windowDays ?? 30} days, p95 ${slo.latency.p95Ms} ms, p99 ${slo.latency.p99Ms} ms`,
  ];
  if (business.expectedLoad)
    lines.push(`Load        ${business.expectedLoad.peakRps} rps peak, ${business.expectedLoad.dailyRequests} requests a day`);
  if (business.budget) lines.push(`Budget      $${business.budget.costPerRequestUsd} a request, $${business.budget.monthlyUsd} a month`);
  const task = plan.spec.task;
  if (task)
    lines.push(
      `Task        ${task.kind}${task.rag ? `, answering from ${task.rag.corpus}/` : ''}${task.extract ? `, output valid against ${task.extract.schema}` : ''}`,
    );
  lines.push(`Models      ${models ? models.tiers.map((t) => `${t.name} (${t.kind}, ${t.model})`).join(' -> ') : 'decided at stage 2'}`);
  lines.push(`Failures    ${failureModes?.map((m) => m.id).join(', ') || 'none'}`);
  lines.push(`Writes      ${relative(cwd, plan.file) || plan.file} and ${relative(cwd, plan.schemaFile) || plan.schemaFile}`);
  return lines.join('\n');
}

/** Writes a plan: the JSON Schema the spec's first line points at, then the spec. */
export async function applyInit(plan: InitPlan, options: Pick<InitOptions, 'force' | 'cwd'>): Promise<void> {
  // Someone may have written the file while the questions were being answered.
  refuseOverwrite(plan.file, options.force, options.cwd);
  for (const extra of plan.extraFiles) refuseOverwrite(extra.path, options.force, options.cwd);
  const made = await makeFolders([plan.schemaFile, ...plan.extraFiles.map((extra) => extra.path)].map((path) => dirname(path)));
  try {
    await writeFilesAtomic([
      { path: plan.schemaFile, content: `${JSON.stringify(jsonSchema(), null, 2)}\n` },
      ...plan.extraFiles,
      { path: plan.file, content: plan.text },
    ]);
  } catch (error) {
    // The write left nothing behind; neither do the folders made for it.
    for (const folder of made.reverse()) await rmdir(folder).catch(() => {});
    throw error;
  }
}

/** Makes the folders, returning those it created, parents first. */
async function makeFolders(folders: readonly string[]): Promise<string[]> {
  const made: string[] = [];
  for (const folder of [...new Set(folders)].sort()) {
    const first = await mkdir(folder, { recursive: true });
    if (first === undefined) continue;
    for (let at = folder; at.length >= first.length; at = dirname(at)) if (!made.includes(at)) made.push(at);
  }
  return made.sort();
}

/** Plans, confirms when anything was prompted, and writes. */
export async function runInit(options: InitOptions): Promise<InitResult> {
  const plan = await planInit(options);
  if (plan.prompted && options.prompter) {
    options.prompter.show(summarize(plan, options.cwd));
    const ok = await options.prompter.confirm({ message: `Write ${SPEC_FILE}?`, default: true });
    if (!ok) return { file: plan.file, spec: plan.spec, written: false };
  }
  await applyInit(plan, options);
  return { file: plan.file, spec: plan.spec, written: true };
}
