/**
 * The architecture decision record and its diagram, rendered from the designed spec. Re-running
 * `design` rewrites the ADR in place; what the user wrote between keep markers survives, and so
 * does the date the decision was first recorded.
 */
import Handlebars from 'handlebars';
import type { PatternId, Spec } from '../spec/schema.js';
import { PATTERNS_BY_ID, TASK_FAILURE_MODES, type Cost } from './catalog.js';
import { alternatives, patternsInUse, rankFailureModes, LEVEL_SCORE } from './recommend.js';
import { budgetTables, markdownTable, type Budget } from './tables.js';

export const ADR_FILE = 'docs/adr/0001-architecture.md';
export const MERMAID_FILE = 'docs/architecture.mmd';

export const KEEP_START = '<!-- shipshape:keep -->';
export const KEEP_END = '<!-- /shipshape:keep -->';
const KEEP_BLOCK = /<!-- shipshape:keep -->[\s\S]*?<!-- \/shipshape:keep -->/g;

const TEMPLATE = `# ADR 0001: Architecture of {{name}}

- Status: {{status}}
- Date: {{date}}
- Owner: {{owner}}
- Service tier: {{tier}}

<!-- Written by \`shipshape design\` from {{specFile}}; running it again updates this file. Write your own notes between the shipshape:keep markers: they are kept. -->

## Context

{{problem}}

The business metric is \`{{metric.name}}\`{{#if metric.description}} ({{metric.description}}){{/if}}: baseline {{metric.baseline}}, target {{metric.target}} ({{metric.direction}}).
{{#if successCriteria}}

Success criteria:

{{successCriteria}}
{{/if}}

SLO: {{slo}}.
{{#if task}}

### The task

{{task.summary}}

{{#if task.modes}}
Its own failure modes, and what the generated service does about them:

{{task.modes}}
{{/if}}
{{/if}}

### Failure modes

{{#if failureModes}}
{{failureModes}}
{{else}}
The spec lists no failure modes.
{{/if}}

## Decision

{{#if decisions}}
{{#each decisions}}
- **{{pattern}}** for {{addresses}}: {{summary}}
{{/each}}
{{else}}
No patterns: the spec lists no failure modes to mitigate.
{{/if}}
{{#if configured}}

Also configured by the spec, with no failure mode claiming them:

{{#each configured}}
- **{{pattern}}** ({{configures}}): {{summary}}
{{/each}}
{{/if}}

\`\`\`mermaid
{{diagram}}
\`\`\`

## Consequences

{{#each tables}}
### {{title}}

{{markdown}}

{{/each}}
### Costs of the patterns

{{#if patternCosts}}
{{patternCosts}}
{{else}}
No patterns, no costs.
{{/if}}

## Alternatives not taken

{{#if alternatives}}
{{alternatives}}
{{else}}
None: every catalog pattern that addresses these failure modes was chosen.
{{/if}}

## Notes

${KEEP_START}
${KEEP_END}
`;

let compiled: Handlebars.TemplateDelegate | undefined;
function template(): Handlebars.TemplateDelegate {
  compiled ??= Handlebars.create().compile(TEMPLATE, { strict: true, noEscape: true });
  return compiled;
}

const costOf = (cost: { latency: Cost; money: Cost; complexity: Cost }) =>
  `latency ${cost.latency}, money ${cost.money}, complexity ${cost.complexity}`;
const list = (items: readonly string[]) => (items.length > 0 ? items.join(', ') : 'nothing');
const nodeId = (prefix: string, name: string) => `${prefix}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
const label = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;

/**
 * The components as a Mermaid flowchart: client, pipeline, router, each tier behind its breaker,
 * fallback, monitoring. Drawn from the spec's sections, as the generated code is: a pattern
 * named in architecture.patterns but not configured is not drawn.
 */
export function architectureDiagram(spec: Spec): string {
  const patterns = new Set((spec.architecture?.patterns ?? []).map((entry) => entry.pattern));
  const tiers = spec.models?.tiers ?? [];
  const strategy = spec.models?.routing?.strategy ?? (tiers.length > 1 ? 'cascade' : 'single');
  const breaker = spec.resilience?.circuitBreaker !== undefined;
  const bulkhead = spec.resilience?.bulkhead !== undefined;
  const fallback = spec.resilience?.fallback?.strategy;
  const lines = [
    'flowchart LR',
    `  client([Client]) --> pipeline[${label(`Pipeline${patterns.has('output-validation') ? ': validates output' : ''}`)}]`,
  ];
  lines.push(`  pipeline --> router{${label(`Router: ${strategy}`)}}`);
  for (const tier of tiers) {
    const node = nodeId('tier', tier.name);
    lines.push(`  ${node}[${label(`${tier.name}: ${tier.model} (${tier.kind}, ${tier.timeoutMs} ms)`)}]`);
    if (breaker) {
      const guard = nodeId('breaker', tier.name);
      lines.push(`  router --> ${guard}[[${label(`breaker${bulkhead ? ' + bulkhead' : ''}: ${tier.name}`)}]] --> ${node}`);
      if (fallback) lines.push(`  ${guard} -. open or failing .-> fallback`);
    } else {
      lines.push(`  router --> ${node}`);
      if (fallback) lines.push(`  ${node} -. failing .-> fallback`);
    }
  }
  if (fallback) lines.push(`  fallback[${label(`Fallback: ${fallback}`)}]`);
  const watched = ['alerts'];
  if (spec.monitoring?.drift) watched.push('drift');
  if (spec.monitoring?.predictionLogging) watched.push('prediction log');
  lines.push(`  pipeline -. metrics .-> monitoring[(${label(`Monitoring: ${watched.join(', ')}`)})]`);
  return `${lines.join('\n')}\n`;
}

export interface AdrInput {
  spec: Spec;
  budget: Budget;
  /** The spec file as named in the ADR. */
  specFile: string;
  today: Date;
  /** The ADR as it is on disk, if any. */
  existing?: string;
}

/** The user's keep blocks, in order. */
function keepBlocks(text: string): string[] {
  return text.match(KEEP_BLOCK) ?? [];
}

/** Puts the user's keep blocks back in place of the template's, in order; any extra ones go at the end. */
export function mergeKeepBlocks(rendered: string, existing: string | undefined): string {
  if (!existing) return rendered;
  const kept = keepBlocks(existing);
  if (kept.length === 0) return rendered;
  let index = 0;
  const merged = rendered.replace(KEEP_BLOCK, (block) => kept[index++] ?? block);
  const extra = kept.slice(index);
  return extra.length === 0 ? merged : `${merged.trimEnd()}\n\n${extra.join('\n\n')}\n`;
}

const DATE_LINE = /^- Date: (\d{4}-\d{2}-\d{2})$/m;

/** What the service does, for a spec with a task block (a classifier without one reads as before). */
function taskView(spec: Spec): { summary: string; modes: string | null } | null {
  const task = spec.task;
  if (!task) return null;
  const modes = spec.failureModes ?? [];
  let summary = 'The service classifies: each request gets a label, with its confidence; a low confidence escalates.';
  if (task.rag) {
    const { corpus, retriever, citations, grounding } = task.rag;
    summary =
      `The service answers questions from the documents in \`${corpus}/\`, citing the passages it used: ` +
      `${retriever?.kind ?? 'embedded'} retrieval of ${retriever?.topK ?? 4} passages, at least ${citations?.min ?? 1} citation(s) an answer, ` +
      `and an answer whose cited passages support less than ${grounding?.minSupport ?? 0.5} of it is ungrounded, a bad output.`;
  } else if (task.extract) {
    summary =
      `The service extracts structured output valid against the JSON Schema \`${task.extract.schema}\`; ` +
      `an output that violates it is a bad output, handled by ${task.extract.onViolation ?? 'retry'} (task.extract.onViolation).`;
  }
  const own = TASK_FAILURE_MODES[task.kind];
  return {
    summary,
    modes:
      own.length === 0
        ? null
        : markdownTable({
            columns: ['failure mode', 'kind', 'in the spec as', 'patterns', 'what the service does'],
            rows: own.map((mode) => {
              const named = modes.filter((m) => m.id === mode.id || m.kind === mode.kind).map((m) => m.id);
              return [
                mode.id,
                mode.kind,
                named.length > 0 ? named.join(', ') : 'missing: add it to failureModes',
                mode.patterns.join(', '),
                mode.handling,
              ];
            }),
          }),
  };
}

export function renderAdr(input: AdrInput): string {
  const { spec, budget } = input;
  const modes = rankFailureModes(spec.failureModes ?? []);
  const byId = new Map(modes.map((mode) => [mode.id, mode]));
  const entries = spec.architecture?.patterns ?? [];
  const chosen = new Set<PatternId>(entries.map((entry) => entry.pattern));
  const slo = spec.slo;
  const view = {
    name: spec.metadata.name,
    status: 'Accepted',
    date: input.existing?.match(DATE_LINE)?.[1] ?? input.today.toISOString().slice(0, 10),
    owner: spec.metadata.team ? `${spec.metadata.owner} (${spec.metadata.team})` : spec.metadata.owner,
    tier: spec.metadata.tier,
    specFile: input.specFile,
    problem: spec.business.problem,
    metric: { ...spec.business.metric, description: spec.business.metric.description?.replace(/\.$/, '') ?? null },
    successCriteria:
      (spec.business.successCriteria ?? []).length === 0
        ? null
        : markdownTable({
            columns: ['id', 'metric', 'threshold', 'description'],
            rows: (spec.business.successCriteria ?? []).map((c) => [
              c.id,
              c.metric,
              [c.min === undefined ? '' : `min ${c.min}`, c.max === undefined ? '' : `max ${c.max}`].filter(Boolean).join(', '),
              c.description ?? '',
            ]),
          }),
    slo: `availability ${slo.availability}% over ${slo.windowDays ?? 30} days, p95 ${slo.latency.p95Ms} ms, p99 ${slo.latency.p99Ms} ms`,
    failureModes:
      modes.length === 0
        ? null
        : markdownTable({
            columns: ['failure mode', 'kind', 'likelihood', 'impact', 'risk', 'mitigated by', 'description'],
            rows: modes.map((mode) => [
              mode.id,
              mode.kind,
              mode.likelihood,
              mode.impact,
              String(LEVEL_SCORE[mode.likelihood] * LEVEL_SCORE[mode.impact]),
              list(entries.filter((entry) => entry.addresses.includes(mode.id)).map((entry) => entry.pattern)),
              mode.description ?? '',
            ]),
          }),
    decisions: entries.map((entry) => ({
      pattern: entry.pattern,
      addresses: list(entry.addresses.map((id) => (byId.has(id) ? `${id} (${byId.get(id)!.kind})` : id))),
      summary: PATTERNS_BY_ID.get(entry.pattern)?.summary ?? '',
    })),
    configured: [...patternsInUse(spec)]
      .filter((pattern) => !chosen.has(pattern))
      .map((pattern) => ({ pattern, configures: PATTERNS_BY_ID.get(pattern)!.configures, summary: PATTERNS_BY_ID.get(pattern)!.summary })),
    task: taskView(spec),
    diagram: architectureDiagram(spec).trimEnd(),
    tables: budgetTables(spec, budget).map((table) => ({ title: table.title, markdown: markdownTable(table) })),
    patternCosts:
      entries.length === 0
        ? null
        : markdownTable({
            columns: ['pattern', 'latency', 'money', 'complexity', 'configures', 'proven by'],
            rows: entries.flatMap((entry) => {
              const pattern = PATTERNS_BY_ID.get(entry.pattern);
              return pattern
                ? [[pattern.id, pattern.cost.latency, pattern.cost.money, pattern.cost.complexity, pattern.configures, pattern.proof]]
                : [];
            }),
          }),
    alternatives: (() => {
      const rows = alternatives(spec, chosen).map((alt) => [alt.pattern, list(alt.couldAddress), costOf(alt.cost), alt.summary]);
      return rows.length === 0 ? null : markdownTable({ columns: ['pattern', 'could address', 'cost', 'what it is'], rows });
    })(),
  };
  return mergeKeepBlocks(template()(view), input.existing);
}
