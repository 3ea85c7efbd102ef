/**
 * Checking one spec file: load it, report parse and schema problems, run the rules of the
 * stage it is checked at, apply the policy. Used by the engine in the main thread and in workers.
 */
import { dirname, join, posix, relative, sep } from 'node:path';
import { loadSpecFile, type LoadedSpec } from '../spec/load.js';
import type { Spec } from '../spec/schema.js';
import { locate, type Diagnostic } from '../spec/yaml-file.js';
import type { DocPath } from '../spec/doc-path.js';
import type { ResolvedPolicy, TemplatePolicy } from './policy.js';
import { projectFiles } from './project.js';
import { renderMessage } from './messages.js';
import { RULES } from './rules/index.js';
import { specStage } from './stage.js';
import { BugError } from '../errors.js';
import { maskPath, specSecrets } from '../spec/secrets.js';
import { knownSecrets, maskSecrets, type KnownSecret } from '../text/secrets.js';
import type { FileResult, Finding, Rule, RuleContext, RuleReport, Severity, StageNumber, TextContext } from './types.js';

export interface FileCheckOptions {
  /** Check at this stage instead of the stage the spec reached. */
  stage?: StageNumber;
  policy?: ResolvedPolicy;
  today: Date;
  /** The spec already read and parsed; otherwise it is read from `absolute`. */
  loaded?: LoadedSpec;
}

function* stringsOf(value: unknown, path: (string | number)[]): Generator<{ path: DocPath; value: string }> {
  if (typeof value === 'string') {
    yield { path, value };
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* stringsOf(value[i], [...path, i]);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) yield* stringsOf(child, [...path, key]);
  }
}

/** What a rule sees of a spec: the one builder, for the engine and for the rules' tests alike. */
export function ruleContext(spec: Spec, stage: StageNumber, more: Omit<RuleContext, 'spec' | 'stage' | 'strings'> = {}): RuleContext {
  return { spec, stage, strings: () => stringsOf(spec, []), ...more };
}

function fromDiagnostic(diagnostic: Diagnostic, file: string, severity: Severity): Finding {
  const { line, column, endLine, endColumn } = diagnostic;
  return {
    ruleId: diagnostic.code,
    severity,
    message: diagnostic.message,
    ...(diagnostic.hint ? { hint: diagnostic.hint } : {}),
    file,
    range: { line, column, endLine, endColumn },
    ...(diagnostic.path ? { path: diagnostic.path } : {}),
  };
}

/** Where a report about a project file puts its finding: the top of that file. */
const TOP = { line: 1, column: 1, endLine: 1, endColumn: 1 };

/** A project file named the way the spec is named: beside it, relative to the working directory when the spec is. */
function displayBeside(specDisplay: string, specAbsolute: string, file: string): string {
  if (specDisplay === specAbsolute) return join(dirname(specAbsolute), file);
  const dir = posix.dirname(specDisplay.split(sep).join('/'));
  return dir === '.' ? file : `${dir}/${file}`;
}

/** The policy's template requirement, with the files that set it named from the spec's folder. */
function templateFor(template: TemplatePolicy, specAbsolute: string): TemplatePolicy {
  const from = (source: string) => relative(dirname(specAbsolute), source).split(sep).join('/');
  const { pack, minVersion } = template.sources;
  return { ...template, sources: { ...(pack ? { pack: from(pack) } : {}), ...(minVersion ? { minVersion: from(minVersion) } : {}) } };
}

/** A rule's reports; a rule that throws is a bug of that rule, named as such (exit 70), never a finding. */
function guarded(rule: Rule, contexts: { spec?: RuleContext; text: TextContext }): RuleReport[] {
  try {
    if (rule.input === 'text') return rule.check(contexts.text);
    return contexts.spec ? rule.check(contexts.spec) : [];
  } catch (error) {
    throw new BugError(`the check rule ${rule.id} threw: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * A finding with every secret masked: a rule's message may quote the spec (a name, a key, a
 * value), and every output format prints findings as they are.
 */
function masked(known: readonly KnownSecret[]): (finding: Finding) => Finding {
  return (finding) => {
    // no-secrets builds its messages from masked data; the detectors still look, which costs little.
    if (finding.ruleId === 'no-secrets')
      return { ...finding, message: maskSecrets(finding.message), ...(finding.path ? { path: maskPath(finding.path, []) } : {}) };
    const out: Finding = { ...finding, message: maskSecrets(finding.message, known) };
    if (finding.hint !== undefined) out.hint = maskSecrets(finding.hint, known);
    if (finding.path) out.path = maskPath(finding.path, known);
    if (finding.exception) out.exception = { ...finding.exception, reason: maskSecrets(finding.exception.reason, known) };
    return out;
  };
}

export async function checkFile(absolute: string, display: string, options: FileCheckOptions): Promise<FileResult> {
  const loaded = options.loaded ?? (await loadSpecFile(absolute, display));
  const { policy, today } = options;
  const settingFor = (ruleId: string, fallback: Severity) => policy?.settingFor(ruleId, absolute) ?? fallback;

  const findings: Finding[] = [];
  /** Findings about a project file rather than the spec, with that file's absolute path. */
  const projectFindings = new Map<Finding, string>();
  for (const diagnostic of loaded.diagnostics) {
    // A file that cannot be read always fails; a schema problem follows the policy like any rule.
    const setting = diagnostic.code === 'parse' ? 'error' : settingFor('schema', 'error');
    if (setting !== 'off') findings.push(fromDiagnostic(diagnostic, display, setting));
  }

  let stage: StageNumber | null = null;
  const spec: Spec | undefined = loaded.spec ?? loaded.withoutUnknownKeys;
  const contexts: { spec?: RuleContext; text: TextContext } = { text: { source: loaded.parsed } };
  if (spec) {
    stage = options.stage ?? specStage(spec);
    contexts.spec = ruleContext(spec, stage, {
      // Nothing is read until a rule of stage 3 or later asks.
      project: projectFiles(absolute),
      today,
      ...(policy?.template ? { template: templateFor(policy.template, absolute) } : {}),
      misspeltSections: new Set(
        loaded.diagnostics.flatMap((d) => (d.unknownKey && d.suggestion && d.path?.length === 1 ? [d.suggestion] : [])),
      ),
    });
  }
  for (const rule of RULES) {
    // Text rules read the file, whatever its parse and schema say; spec rules need a spec, at their stage.
    if (rule.input !== 'text' && (stage === null || rule.stage > stage)) continue;
    if (settingFor(rule.id, rule.defaultSeverity) === 'off') continue;
    for (const report of guarded(rule, contexts)) {
      const severity = settingFor(rule.id, report.severity ?? rule.defaultSeverity);
      if (severity === 'off') continue;
      const message = renderMessage(rule, report.messageId, report.data);
      if (report.file !== undefined) {
        const finding: Finding = {
          ruleId: rule.id,
          severity,
          message,
          hint: report.hint ?? rule.hint,
          file: displayBeside(display, absolute, report.file),
          range: report.line === undefined ? { ...TOP } : { line: report.line, column: 1, endLine: report.line, endColumn: 1 },
        };
        projectFindings.set(finding, join(dirname(absolute), report.file));
        findings.push(finding);
        continue;
      }
      findings.push({
        ruleId: rule.id,
        severity,
        message,
        hint: report.hint ?? rule.hint,
        file: display,
        range: report.range ?? locate(loaded.parsed, report.path, report.key ? { key: true } : {}),
        ...(report.range && report.path.length === 0 ? {} : { path: report.path }),
      });
    }
  }
  if (spec && policy) {
    for (const finding of policy.requirements(spec, loaded.parsed, absolute, display)) {
      const severity = settingFor(finding.ruleId, finding.severity);
      if (severity !== 'off') findings.push({ ...finding, severity });
    }
  }

  if (policy) {
    for (const finding of findings) {
      if (finding.ruleId === 'parse') continue;
      // An exception may name the project (its spec) or, for a finding about a project file, that file.
      const about = projectFindings.get(finding);
      const exception =
        (about && policy.exceptionFor(finding.ruleId, about, today)) || policy.exceptionFor(finding.ruleId, absolute, today);
      if (exception) finding.exception = exception;
    }
  }
  findings.sort((a, b) => a.range.line - b.range.line || a.range.column - b.range.column || a.ruleId.localeCompare(b.ruleId));
  return { file: display, stage, unreadable: loaded.unreadable, findings: findings.map(masked(knownSecrets(specSecrets(loaded.parsed)))) };
}
