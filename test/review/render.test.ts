import { describe, expect, it } from 'vitest';
import type { Actuals } from '../../src/review/actuals.js';
import { assessReview } from '../../src/review/assess.js';
import { renderReview, reviewFile, reviewText } from '../../src/review/render.js';
import type { DeploymentRecord } from '../../src/stages/records.js';
import { reviewDue } from '../../src/stages/review.js';
import { example } from '../check/rules/helpers.js';

const ACTUALS: Actuals = {
  metrics: { median_first_response_minutes: 75, routing_accuracy: 0.87 },
  slo: { availability: 99.85, p95Ms: 900, p99Ms: 2700 },
  cost: { perRequestUsd: 0.0015, monthlyUsd: 11000 },
  drift: { language: 0.31 },
};
const HISTORY: DeploymentRecord[] = [
  { specHash: 'aaaaaaaaaaaaaaaa', status: 'rolled-back', startedAt: '2026-02-05T10:00:00Z', finishedAt: '2026-02-05T10:20:00Z' },
  { specHash: 'bbbbbbbbbbbbbbbb', status: 'promoted', startedAt: '2026-01-30T10:00:00Z', finishedAt: '2026-01-30T10:30:00Z' },
];

const assessment = () =>
  assessReview({
    spec: example(),
    actuals: ACTUALS,
    history: HISTORY,
    due: reviewDue(HISTORY, 30),
    today: new Date('2026-03-01T00:00:00Z'),
    source: 'the snapshot metrics.yaml',
  });

/** The text of one `## ` section. */
function section(text: string, title: string): string {
  const start = text.indexOf(`## ${title}\n`);
  expect(start, title).toBeGreaterThan(-1);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end === -1 ? undefined : end);
}

describe('the review file', () => {
  const text = renderReview(assessment(), 'shipshape.yaml');

  it('is named by its date, where status looks for reviews', () => {
    expect(reviewFile('2026-03-01')).toBe('docs/reviews/2026-03-01-review.md');
  });

  it('opens with the decision, the source and the due date', () => {
    expect(text.split('\n').slice(0, 8).join('\n')).toContain(`- Decision: **iterate**
- Actuals from: the snapshot metrics.yaml
- Last promotion: 2026-01-30; review due 2026-03-01 (30 days later)`);
  });

  it('shows the business metric against baseline and target, with the progress', () => {
    expect(section(text, 'Business metric')).toContain(
      '| median_first_response_minutes | 240 | 60 (decrease) | 75 | 91.7% of the way | FAILED |',
    );
  });

  it('shows each success criterion passed or failed', () => {
    const criteria = section(text, 'Success criteria');
    expect(criteria).toContain('| routing-accuracy | routing_accuracy | >= 0.9 | 0.87 | FAILED | 3.3% |');
    expect(criteria).toContain('| first-response | median_first_response_minutes | <= 60 | 75 | FAILED | 25% |');
  });

  it('shows SLO compliance and the error budget spent', () => {
    const slo = section(text, 'SLO and error budget');
    expect(slo).toContain('| availability over 30 days | 99.9% | 99.85% | FAILED |');
    expect(slo).toContain('| latency p95 | 1200 ms | 900 ms | passed |');
    expect(slo).toContain('Error budget spent: 150% (exhausted).');
  });

  it('lists the incidents and rollbacks of the history', () => {
    const incidents = section(text, 'Incidents and rollbacks');
    expect(incidents).toContain('1 promotion in the window.');
    expect(incidents).toContain('| 2026-02-05 | rolled-back | aaaaaaaaaaaa |');
  });

  it('shows cost against budget and drift against its threshold', () => {
    expect(section(text, 'Cost')).toContain('| per month | $10000 | $11000 | FAILED | 10% |');
    const drift = section(text, 'Drift');
    expect(drift).toContain('| language | <= 0.2 | 0.31 | FAILED |');
    expect(drift).toContain('| ticket_chars | <= 0.2 | not measured | not measured |');
  });

  it('states the decision with its reasons and the rule', () => {
    const decision = section(text, 'Decision');
    expect(decision).toContain('**iterate**: the business target (median_first_response_minutes <= 60) was missed;');
    expect(decision).toContain('The rule: Roll back when the business metric is worse than its baseline;');
  });

  it('ranks the backlog', () => {
    const backlog = section(text, 'Next iteration backlog');
    expect(backlog).toContain(
      '| 1 | Meet success criterion first-response: median_first_response_minutes at most 60 | measured 75, 25% past its bound |',
    );
    expect(backlog.indexOf('| 2 | Meet success criterion routing-accuracy')).toBeGreaterThan(-1);
    expect(backlog).toContain('Find the cause of 1 failed or rolled-back deployment');
  });

  it('says when a decision was set by hand', () => {
    const overridden = renderReview({ ...assessment(), decision: 'keep' }, 'shipshape.yaml');
    expect(overridden).toContain('- Decision: **keep** (set by hand; the rule says iterate)');
  });

  it('keeps what a person wrote between keep markers when it is written again', () => {
    const edited = text.replace(
      '<!-- shipshape:keep -->\n<!-- Your notes: context, follow-ups, who attended. -->',
      '<!-- shipshape:keep -->\nAttended: the support leads. The July launch explains the language drift.',
    );
    const again = reviewText({ ...assessment(), source: 'Prometheus at http://127.0.0.1:9090' }, 'shipshape.yaml', edited);
    expect(again).toContain('Attended: the support leads. The July launch explains the language drift.');
    expect(again).toContain('- Actuals from: Prometheus at http://127.0.0.1:9090');
    // Without markers, nothing of the old text survives.
    expect(reviewText(assessment(), 'shipshape.yaml', 'scribbles')).toBe(text);
  });
});
