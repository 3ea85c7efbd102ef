/**
 * docs/reviews/<YYYY-MM-DD>-review.md, rendered from an assessment. Running the review again on
 * the same day rewrites the file; what a person wrote between keep markers survives (the ADR's
 * mechanism, src/design/adr.ts).
 */
import { KEEP_END, KEEP_START, mergeKeepBlocks } from '../design/adr.js';
import { markdownTable } from '../design/tables.js';
import type { Assessment, ThresholdResult, Verdict } from './assess.js';

export const REVIEW_FILE_SUFFIX = '-review.md';

/** docs/reviews/<date>-review.md, relative to the project. */
export const reviewFile = (date: string): string => `docs/reviews/${date}${REVIEW_FILE_SUFFIX}`;

const VERDICT: Record<Verdict, string> = { met: 'passed', missed: 'FAILED', 'not-measured': 'not measured' };
const num = (value: number | undefined, unit = ''): string => (value === undefined ? 'not measured' : `${value}${unit}`);
const bound = (t: ThresholdResult, unit = ''): string =>
  [t.min === undefined ? '' : `>= ${t.min}${unit}`, t.max === undefined ? '' : `<= ${t.max}${unit}`].filter(Boolean).join(', ') ||
  'no budget';
const overrun = (t: ThresholdResult): string => (t.overrunPercent === undefined ? '' : `${t.overrunPercent}%`);

const keep = (hint: string): string => `${KEEP_START}\n${hint}\n${KEEP_END}`;

export const DECISION_RULE =
  'Roll back when the business metric is worse than its baseline; keep when the business target is met, every success criterion passed, the SLO held, cost stayed within budget, no feature drifted past its threshold, and all of it was measured; otherwise iterate.';

export function renderReview(a: Assessment, specFile: string): string {
  const b = a.business;
  const lines: string[] = [
    `# 30-day review of ${a.service}: ${a.date}`,
    '',
    `<!-- Written by \`shipshape review\` from ${specFile}; running it again rewrites this file. Write your own notes between the shipshape:keep markers: they are kept. -->`,
    '',
    `- Decision: **${a.decision}**${a.decision === a.ruled ? '' : ` (set by hand; the rule says ${a.ruled})`}`,
    `- Actuals from: ${a.source}`,
    a.due
      ? `- Last promotion: ${a.due.promotedOn}; review due ${a.due.due} (${a.due.afterDays} days later)`
      : '- Last promotion: none in the deployment history',
    `- Window: ${a.history.from} to ${a.history.to}`,
    '',
    '## Business metric',
    '',
    markdownTable({
      columns: ['metric', 'baseline', 'target', 'actual', 'progress', 'result'],
      rows: [
        [
          b.name,
          String(b.baseline),
          `${b.target} (${b.direction})`,
          num(b.actual),
          b.progressPercent === undefined ? '' : `${b.progressPercent}% of the way`,
          b.worseThanBaseline ? 'FAILED (worse than baseline)' : VERDICT[b.verdict],
        ],
      ],
    }),
    '',
    '## Success criteria',
    '',
    a.criteria.length === 0
      ? 'The spec names no success criteria.'
      : markdownTable({
          columns: ['criterion', 'metric', 'threshold', 'actual', 'result', 'overrun'],
          rows: a.criteria.map((c) => [c.name, c.metric ?? '', bound(c), num(c.actual), VERDICT[c.verdict], overrun(c)]),
        }),
    '',
    '## SLO and error budget',
    '',
    markdownTable({
      columns: ['objective', 'target', 'actual', 'result'],
      rows: [
        [`availability over ${a.slo.windowDays} days`, `${a.slo.objective}%`, num(a.slo.availability, '%'), VERDICT[a.slo.verdict]],
        ...a.slo.latency.map((l) => [`latency ${l.name}`, `${l.max} ms`, num(l.actual, ' ms'), VERDICT[l.verdict]]),
      ],
    }),
    '',
    a.slo.errorBudgetSpentPercent === undefined
      ? 'Error budget spent: not measured.'
      : `Error budget spent: ${a.slo.errorBudgetSpentPercent}%${a.slo.errorBudgetSpentPercent > 100 ? ' (exhausted)' : ''}.`,
    '',
    '## Incidents and rollbacks',
    '',
    `${a.history.promotions} promotion${a.history.promotions === 1 ? '' : 's'} in the window.`,
    '',
    a.history.incidents.length === 0
      ? 'No deployment failed or was rolled back in the window.'
      : markdownTable({
          columns: ['date', 'deployment', 'spec'],
          rows: a.history.incidents.map((i) => [i.date ?? 'unknown', i.status, i.specHash.slice(0, 12)]),
        }),
    '',
    '## Cost',
    '',
    a.cost.length === 0
      ? 'The spec sets no budget (business.budget) and no cost was measured.'
      : markdownTable({
          columns: ['cost', 'budget', 'actual', 'result', 'overrun'],
          rows: a.cost.map((c) => [
            c.name,
            c.max === undefined ? 'no budget' : `$${c.max}`,
            c.actual === undefined ? 'not measured' : `$${c.actual}`,
            VERDICT[c.verdict],
            overrun(c),
          ]),
        }),
    '',
    '## Drift',
    '',
    a.drift.features.length === 0
      ? 'The spec watches no drift features (monitoring.drift.features).'
      : markdownTable({
          columns: ['feature', `${a.drift.method} threshold`, 'actual', 'result'],
          rows: a.drift.features.map((f) => [f.name, bound(f), num(f.actual), VERDICT[f.verdict]]),
        }),
    '',
    '## Decision',
    '',
    `**${a.decision}**${a.decision === a.ruled ? '' : ` (set by hand; the rule says ${a.ruled})`}: ${a.reasons.join('; ')}.`,
    '',
    `The rule: ${DECISION_RULE}`,
    '',
    keep("<!-- Why this decision, in the owner's words. -->"),
    '',
    '## Next iteration backlog',
    '',
    a.backlog.length === 0
      ? 'Nothing: every target was measured and met.'
      : markdownTable({
          columns: ['rank', 'item', 'why'],
          rows: a.backlog.map((item) => [String(item.rank), item.title, item.why]),
        }),
    '',
    'Ranked by what the data says: failed success criteria first, then the business target, then the largest overruns, then incidents, then what was not measured.',
    '',
    '## Notes',
    '',
    keep('<!-- Your notes: context, follow-ups, who attended. -->'),
    '',
  ];
  return lines.join('\n');
}

/** The review as it will be written: rendered, with the keep blocks of the file on disk put back. */
export function reviewText(a: Assessment, specFile: string, existing: string | undefined): string {
  return mergeKeepBlocks(renderReview(a, specFile), existing);
}
