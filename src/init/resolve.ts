/**
 * Where each answer comes from, in order: a flag, the answers file, the default under --yes,
 * and only then a prompt. Without a terminal nothing is prompted: every missing answer is
 * reported at once, as the flags that would give it.
 */
import { UserError } from '../errors.js';
import { businessSchema, failureModeSchema, LEVELS, type FailureMode, type FailureModeKind } from '../spec/schema.js';
import {
  FAILURE_MODE_DEFAULTS,
  FIELDS,
  FIELDS_BY_KEY,
  parseAnswer,
  targetCriterion,
  type AnswerContext,
  type AnswersFile,
  type Choice,
  type Draft,
  type Field,
  type ScalarKey,
  type SuccessCriterion,
} from './answers.js';

/**
 * The prompts `init` needs, injected so the core never imports a prompt library and tests can
 * drive it (src/ui/prompts.ts implements it with @inquirer/prompts).
 */
export interface Prompter {
  text(question: { message: string; default?: string; validate?: (value: string) => true | string }): Promise<string>;
  select<T extends string | number>(question: { message: string; choices: readonly Choice<T>[]; default?: T }): Promise<T>;
  checkbox<T extends string>(question: { message: string; choices: ReadonlyArray<Choice<T> & { checked?: boolean }> }): Promise<T[]>;
  confirm(question: { message: string; default?: boolean }): Promise<boolean>;
  /** Shows text that is not a question, such as the summary before writing. */
  show(text: string): void;
}

export interface ResolveOptions {
  /** Raw flag values by answer key, as typed on the command line. */
  flags: Partial<Record<ScalarKey, string>>;
  /** The validated answers file, if any. */
  file?: AnswersFile;
  /** Take the default of every answer not given. */
  yes: boolean;
  /** May prompt (a terminal, not CI). */
  interactive: boolean;
  prompter?: Prompter;
  context: AnswerContext;
  /** Why nothing may be prompted, when so (`CI is set`): said in the missing-answers error. */
  noPrompt?: string;
}

export interface Resolved {
  draft: Draft;
  /** True when anything was asked: the summary is then confirmed before writing. */
  prompted: boolean;
}

const criterionSchema = businessSchema.shape.successCriteria.unwrap().element;

function itemField(key: string, message: string, schema: Field['schema'], extra: Partial<Field> = {}): Field {
  return { key: key as ScalarKey, flag: key, kind: 'text', message, schema, ...extra };
}

async function ask(
  prompter: Prompter,
  field: Field,
  fallback: unknown,
  extraCheck?: (value: unknown) => string | undefined,
): Promise<unknown> {
  if (field.kind === 'select') {
    const choices = field.choices ?? [];
    return prompter.select({
      message: field.message,
      choices,
      ...(fallback === undefined ? {} : { default: fallback as string | number }),
    });
  }
  if (field.kind === 'kinds') {
    const checked = new Set(Array.isArray(fallback) ? fallback : []);
    const choices = (field.choices ?? []).map((c) => ({ ...c, value: String(c.value), checked: checked.has(c.value) }));
    return prompter.checkbox({ message: field.message, choices });
  }
  const text = await prompter.text({
    message: field.message,
    ...(fallback === undefined ? {} : { default: String(fallback) }),
    validate: (value) => {
      const parsed = parseAnswer(field, value);
      if (parsed.error) return parsed.error;
      return extraCheck?.(parsed.value) ?? true;
    },
  });
  return parseAnswer(field, text).value;
}

function flagErrors(flags: ResolveOptions['flags']): { values: Draft; errors: string[] } {
  const values: Draft = {};
  const errors: string[] = [];
  for (const [key, raw] of Object.entries(flags) as Array<[ScalarKey, string | undefined]>) {
    const field = FIELDS_BY_KEY.get(key);
    if (raw === undefined || !field) continue;
    const parsed = parseAnswer(field, raw);
    if (parsed.error) errors.push(`--${field.flag} ${parsed.error}`);
    else values[key] = parsed.value;
  }
  return { values, errors };
}

/** Resolves every answer, prompting only where allowed and needed. */
export async function resolveAnswers(options: ResolveOptions): Promise<Resolved> {
  const { file = {}, yes, interactive, prompter, context } = options;
  const { values: flagValues, errors } = flagErrors(options.flags);
  if (errors.length > 0) {
    throw new UserError(errors.length === 1 ? errors[0]! : `invalid answers:\n  ${errors.join('\n  ')}`, {
      hint: 'Fix the flag values; each must be valid for its field of the spec.',
    });
  }
  // The prompter, when prompting is allowed at all.
  const asker = interactive ? prompter : undefined;
  const draft: Draft = {};
  if (file.successCriteria) draft.successCriteria = file.successCriteria as SuccessCriterion[];
  if (file.tiers) draft.tiers = file.tiers;
  if (file.failureModes) draft.failureModes = file.failureModes as Draft['failureModes'];
  // Missing answers are stood in for by their defaults, so the answers that depend on them are
  // judged as they would be and the missing list is complete in one go.
  const shadow: Draft = { ...draft };
  const missing: Field[] = [];
  const conflicts: string[] = [];
  let prompted = false;
  let promptedKinds = false;

  for (const field of FIELDS) {
    if (field.when && !field.when(shadow)) continue;
    // An optional answer given empty (`--team ''`) is an answer: none.
    const given = field.key in flagValues || field.key in file;
    let value = field.key in flagValues ? flagValues[field.key] : (file as Record<string, unknown>)[field.key];
    const fallback = field.default?.(shadow, context);
    if (value === undefined && !given && yes) value = fallback ?? field.placeholder;
    if (value === undefined && !given && asker && !(yes && field.optional)) {
      value = await ask(asker, field, fallback, field.against && ((answer) => field.against!(answer, shadow)));
      prompted = true;
      if (field.key === 'failureModeKinds') promptedKinds = true;
    }
    if (value === undefined) {
      if (!field.optional) missing.push(field);
      shadow[field.key] = fallback ?? field.placeholder;
      continue;
    }
    const conflict = field.against?.(value, shadow);
    if (conflict) conflicts.push(`--${field.flag} ${conflict}`);
    draft[field.key] = value;
    shadow[field.key] = value;
    // The lists are asked where they belong: criteria after the metric, details after the kinds.
    if (field.key === 'direction' && asker && !yes && draft.successCriteria === undefined) {
      draft.successCriteria = await askSuccessCriteria(asker, draft);
      prompted = true;
    }
    if (field.key === 'failureModeKinds' && asker && promptedKinds) {
      draft.failureModes = await askFailureModes(asker, value as FailureModeKind[]);
    }
  }

  if (conflicts.length > 0) {
    throw new UserError(conflicts.length === 1 ? conflicts[0]! : `invalid answers:\n  ${conflicts.join('\n  ')}`, {
      hint: 'Fix the flag or --answers values so they agree with each other.',
    });
  }
  if (missing.length > 0) {
    const flags = missing.map((f) => `--${f.flag}`);
    // Said as the reason it is: under CI=true there may well be a terminal.
    const why = options.noPrompt ?? 'there is no terminal';
    throw new UserError(`missing answers, and init does not prompt when ${why}: ${flags.join(' ')}`, {
      hint: yes
        ? `These have no default here: pass them as flags or in an --answers file.`
        : 'Pass them as flags, put them in an --answers file (the same names in camelCase, e.g. windowDays), or pass --yes to take the defaults.',
    });
  }

  return { draft, prompted };
}

async function askSuccessCriteria(prompter: Prompter, draft: Draft): Promise<SuccessCriterion[]> {
  const criteria: SuccessCriterion[] = [];
  const offered = targetCriterion(draft as Parameters<typeof targetCriterion>[0]);
  const bound = offered.max === undefined ? `>= ${String(offered.min)}` : `<= ${String(offered.max)}`;
  if (await prompter.confirm({ message: `Success criterion: ${offered.metric} ${bound} (the target)?`, default: true })) {
    criteria.push(offered);
  }
  while (await prompter.confirm({ message: 'Add another success criterion?', default: false })) {
    const used = new Set(criteria.map((c) => c.id));
    const unique = (value: unknown) => (used.has(String(value)) ? 'is already the id of another success criterion' : undefined);
    const id = (await ask(
      prompter,
      itemField('id', 'Criterion id (e.g. routing-accuracy)', criterionSchema.shape.id),
      undefined,
      unique,
    )) as string;
    const metric = (await ask(prompter, itemField('metric', 'Metric it checks', criterionSchema.shape.metric), draft.metric)) as string;
    const side = await prompter.select({
      message: 'Passes when the metric is',
      choices: [
        { value: 'min', name: 'at least (min)' },
        { value: 'max', name: 'at most (max)' },
      ],
    });
    const limit = (await ask(
      prompter,
      itemField(side, `${side === 'min' ? 'Minimum' : 'Maximum'} value`, criterionSchema.shape.min.unwrap(), { kind: 'number' }),
      undefined,
    )) as number;
    const description = (await ask(
      prompter,
      itemField('description', 'Description (optional)', criterionSchema.shape.description, { optional: true }),
      undefined,
    )) as string | undefined;
    criteria.push({ id, ...(description ? { description } : {}), metric, [side]: limit });
  }
  return criteria;
}

async function askFailureModes(prompter: Prompter, kinds: readonly FailureModeKind[]): Promise<FailureMode[]> {
  const modes: FailureMode[] = [];
  for (const kind of kinds) {
    const defaults = FAILURE_MODE_DEFAULTS[kind];
    const used = new Set(modes.map((m) => m.id));
    const unique = (value: unknown) => (used.has(String(value)) ? 'is already the id of another failure mode' : undefined);
    const shape = failureModeSchema.shape;
    const id = (await ask(prompter, itemField('id', `${kind}: id`, shape.id), used.has(kind) ? undefined : kind, unique)) as string;
    const description = (await ask(
      prompter,
      itemField('description', `${kind}: what happens`, shape.description, { optional: true }),
      defaults.description,
    )) as string | undefined;
    const levels = LEVELS.map((l) => ({ value: l, name: l }));
    const likelihood = await prompter.select({ message: `${kind}: likelihood`, choices: levels, default: defaults.likelihood });
    const impact = await prompter.select({ message: `${kind}: impact`, choices: levels, default: defaults.impact });
    modes.push({ id, kind, ...(description ? { description } : {}), likelihood, impact });
  }
  return modes;
}
