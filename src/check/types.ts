/**
 * The check engine's vocabulary: rules, findings, results. Plain data, shared by the engine,
 * the rules, the policy layer and the formatters.
 */
import type { StageNumber } from '../stages/table.js';
import type { Spec } from '../spec/schema.js';
import type { DocPath } from '../spec/doc-path.js';
import type { ParsedYaml, Range } from '../spec/yaml-file.js';
import type { TemplatePolicy } from './policy/load.js';
import type { ProjectFiles } from './project.js';

export const SEVERITIES = ['error', 'warn', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** A rule's severity as a policy may set it; `off` disables the rule. */
export type RuleSetting = Severity | 'off';

export const SEVERITY_RANK: Record<Severity, number> = { error: 3, warn: 2, info: 1 };

/** The eight stages, by number; a rule runs once a spec has reached its stage. */
export type { StageNumber };

export interface RuleMeta {
  /** kebab-case, stable: policies and exceptions refer to it. */
  id: string;
  /** One line: what the rule checks. */
  description: string;
  defaultSeverity: Severity;
  /** The first stage at which the rule applies. */
  stage: StageNumber;
  /** Why a senior engineer cares: a short paragraph for docs/rules.md. */
  rationale: string;
  /** The default "Try this" for its findings. */
  hint: string;
  /** Small YAML snippets for docs/rules.md. */
  examples?: { pass: string; fail: string };
}

/** The values a message template interpolates: `{{name}}` takes `data.name`, as text. */
export type MessageData = Readonly<Record<string, string | number>>;

/**
 * What a rule reports: where, which of its messages (by id, with the data the template needs),
 * and optionally a more specific hint. The engine renders the message; a rule never writes one.
 *
 * ```ts
 * return [{ path: ['slo', 'availability'], messageId: 'tooHigh', data: { availability: num(availability) } }];
 * ```
 *
 * Numbers and lists are formatted by the rule (`num`, `ms`, `usd`, `listOf` from ./rules/util.ts)
 * before they go in `data`, so the template only places them. A report whose `messageId` is not
 * in the rule's `messages`, or whose `data` lacks a placeholder of the template, is a bug in the
 * rule: the engine throws a BugError naming the rule.
 */
export interface RuleReport<MessageId extends string = string> {
  /** Where in the spec (ignored for a report about a project `file`). */
  path: DocPath;
  /**
   * A file of the project the report is about instead of the spec (project-relative, forward
   * slashes): the finding is placed at its first line, and the policy's exceptions may name it.
   */
  file?: string;
  /** With `file`: the 1-based line the finding is at (the first line when absent). */
  line?: number;
  /** A key of the rule's `messages`: tests assert it (with `data`) rather than the wording. */
  messageId: MessageId;
  /** The values of the template's `{{placeholders}}`, already formatted. */
  data?: MessageData;
  /**
   * A hint more specific than the rule's default `hint`, as literal text: hints carry computed
   * advice (the value to set, the pattern to add), so they are written by the rule, not templated.
   */
  hint?: string;
  /** Point at the key rather than the value (unknown or misplaced keys). */
  key?: boolean;
  /**
   * A text rule's report: placed at this range of the spec's text rather than at `path` (which it
   * may still give, when the range is in a key or a value).
   */
  range?: Range;
  /** A milder report of a rule whose default is stricter (a policy setting for the rule still wins). */
  severity?: Severity;
}

export interface RuleContext {
  spec: Spec;
  /** The stage the check runs at: the stage the spec reached, or `--stage`. */
  stage: StageNumber;
  /** Every string value in the spec with its path (for rules that scan text). */
  strings(): Iterable<{ path: DocPath; value: string }>;
  /**
   * The project around the spec (its folder): the manifest of generated files and their hashes,
   * for the rules about what `generate` wrote. Absent when a spec is checked on its own.
   */
  project?: ProjectFiles;
  /** The day the check runs on (reviews fall due); default: now. */
  today?: Date;
  /** What the policy asks of the project's template pack (policy `template`), its sources relative to the spec's folder. */
  template?: TemplatePolicy;
  /**
   * Sections the spec spells wrong at its top level (`reslience` for `resilience`): the schema
   * already reports each with its fix.
   */
  misspeltSections?: ReadonlySet<string>;
}

/**
 * A built-in rule: its metadata, its messages and its check. A rule reports as ESLint rules do
 * (`meta.messages` and `context.report({ messageId, data })`):
 *
 * ```ts
 * export const myRule = defineRule({
 *   id: 'my-rule',
 *   ...metadata,
 *   messages: { tooHigh: 'slo.availability {{availability}}% leaves no error budget.' },
 *   check({ spec }) {
 *     return [{ path: ['slo', 'availability'], messageId: 'tooHigh', data: { availability: num(spec.slo.availability) } }];
 *   },
 * });
 * ```
 *
 * `defineRule` (./rules/util.ts) infers the message ids from `messages`, so a report with an
 * unknown id does not compile. Each message is a template: `{{name}}` (spaces allowed inside
 * the braces) is replaced by `data.name`; there is no escaping and no other syntax. One
 * message per distinct sentence; a fragment computed from the spec (a list, an arithmetic
 * trail, a clause that depends on the case) goes in `data`. Tests assert `messageId` and `data`
 * (test/check/rules/tester.ts), and every rule's `examples.fail` must report.
 */
export interface SpecRule<MessageId extends string = string> extends RuleMeta {
  /** The rule's messages by id: templates with `{{placeholders}}` filled from a report's `data`. */
  messages: Readonly<Record<MessageId, string>>;
  /** Spec rules (the default) run on a spec that parsed and passed the schema, from their stage on. */
  input?: 'spec';
  check(context: RuleContext): RuleReport<MessageId>[];
}

/** What a text rule sees: the spec file's text (and its parse, whatever became of it). */
export interface TextContext {
  source: ParsedYaml;
}

/**
 * A rule on the spec file's raw text: it runs on every file, whatever the YAML parse and the
 * schema say (a key pasted into a file that does not parse is leaked all the same), and reports
 * with a `range`.
 */
export interface TextRule<MessageId extends string = string> extends RuleMeta {
  messages: Readonly<Record<MessageId, string>>;
  input: 'text';
  check(context: TextContext): RuleReport<MessageId>[];
}

export type Rule<MessageId extends string = string> = SpecRule<MessageId> | TextRule<MessageId>;

export interface Finding {
  ruleId: string;
  severity: Severity;
  /**
   * The rendered message. The report's messageId is not kept: `check --json` prints findings as
   * they are, and a new field there would change its output.
   */
  message: string;
  hint?: string;
  /** The file as given or found (relative to the working directory when inside it). */
  file: string;
  range: Range;
  path?: DocPath;
  /** Set when a policy exception covers this finding: it is reported, but does not fail. */
  exception?: { reason: string; owner: string; expires: string; source: string };
}

export interface FileResult {
  file: string;
  /** The stage the spec was checked at. */
  stage: StageNumber | null;
  /** True when the file could not be read as YAML at all (exit code 2). */
  unreadable: boolean;
  findings: Finding[];
}

export interface Summary {
  files: number;
  errors: number;
  warnings: number;
  infos: number;
  /** Findings waived by a policy exception, counted apart. */
  exceptions: number;
  unreadable: number;
}

export interface CheckResult {
  results: FileResult[];
  summary: Summary;
  /** Rules that ran, for formatters that list them (SARIF). */
  rules: RuleMeta[];
  /** Whether the run fails: findings at or above the fail severity, or over max warnings. */
  failed: boolean;
  /** The severity from which a finding fails the run (--fail-severity; error when absent). */
  failSeverity?: Severity;
  /** More warnings than --max-warnings: each warning then fails the run too. */
  tooManyWarnings?: boolean;
  exitCode: 0 | 1 | 2;
}
