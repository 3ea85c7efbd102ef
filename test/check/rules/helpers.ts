import { parse, stringify } from 'yaml';
import { ruleContext } from '../../../src/check/check-file.js';
import { renderMessage } from '../../../src/check/messages.js';
import { specStage } from '../../../src/check/stage.js';
import type { Rule, RuleReport, Severity, StageNumber } from '../../../src/check/types.js';
import { loadSpecFile } from '../../../src/spec/load.js';
import { specSchema, type Spec } from '../../../src/spec/schema.js';
import { parseYamlText } from '../../../src/spec/yaml-file.js';
import { EXAMPLE } from '../../helpers/temp.js';

/** A rule's report with its message rendered, for the few tests where the wording is the point. */
export type Report = RuleReport & { severity?: Severity; message: string };

const loaded = await loadSpecFile(EXAMPLE);
if (!loaded.spec) throw new Error(`The reference example does not load: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
const reference: Spec = loaded.spec;

/** A fresh copy of the reference example, safe to mutate. */
export function example(): Spec {
  return structuredClone(reference);
}

/** The stage-1 part of the example: apiVersion, kind, metadata, business and slo. */
export function stageOneExample(): Spec {
  const { apiVersion, kind, metadata, business, slo } = example();
  return { apiVersion, kind, metadata, business, slo };
}

/**
 * Runs one rule as the engine does: at the given stage (the stage the spec reached by default),
 * and not at all below the rule's own stage.
 */
export function run(rule: Rule, spec: Spec, stage: StageNumber = specStage(spec)): Report[] {
  if (rule.stage > stage) return [];
  // A text rule reads the spec as a file: the spec written out as YAML.
  const reports =
    rule.input === 'text' ? rule.check({ source: parseYamlText('shipshape.yaml', stringify(spec)) }) : rule.check(ruleContext(spec, stage));
  return reports.map((report) => ({ ...report, message: renderMessage(rule, report.messageId, report.data) }));
}

/** The reports of severity error (a report without its own severity takes the rule's). */
export function errors(rule: Rule, reports: Report[]): Report[] {
  return reports.filter((report) => (report.severity ?? rule.defaultSeverity) === 'error');
}

function merge(base: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  if (base === null || typeof base !== 'object' || Array.isArray(base)) return patch;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) out[key] = merge(out[key], value);
  return out;
}

/** The example with a docs snippet laid over it (maps merge, lists and scalars replace), validated. */
export function withSnippet(snippet: string, base: Spec = example()): Spec {
  const merged = merge(base, parse(snippet));
  const result = specSchema.safeParse(merged);
  if (!result.success) throw new Error(`The snippet does not make a valid spec: ${result.error.message}\n${snippet}`);
  return result.data;
}
