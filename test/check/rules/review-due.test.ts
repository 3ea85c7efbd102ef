import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../../src/check/engine.js';
import { projectFiles } from '../../../src/check/project.js';
import { reviewDueSoon } from '../../../src/check/rules/review-due-soon.js';
import { reviewOverdue } from '../../../src/check/rules/review-overdue.js';
import type { RuleContext } from '../../../src/check/types.js';
import { put } from '../../helpers/generated.js';
import { EXAMPLE, tempDir } from '../../helpers/temp.js';
import { example } from './helpers.js';

const HISTORY = JSON.stringify({
  deployments: [
    { specHash: 'a', status: 'promoted', startedAt: '2026-01-01T09:00:00Z', finishedAt: '2026-01-01T09:30:00Z' },
    { specHash: 'b', status: 'rolled-back', startedAt: '2026-01-20T09:00:00Z', finishedAt: '2026-01-20T09:10:00Z' },
    { specHash: 'c', status: 'promoted', startedAt: '2026-01-30T10:00:00Z', finishedAt: '2026-01-30T10:30:00Z' },
  ],
});

/** A project promoted on 2026-01-30: with review.afterDays 30, the review is due on 2026-03-01. */
function project(history = HISTORY): string {
  const dir = tempDir();
  put(dir, 'shipshape.yaml', 'apiVersion: shipshape/v1\n');
  put(dir, '.shipshape/deployments.json', history);
  return dir;
}

function context(dir: string, today: string, extra: Partial<RuleContext> = {}): RuleContext {
  return {
    spec: example(),
    stage: 8,
    strings: () => [],
    project: projectFiles(join(dir, 'shipshape.yaml')),
    today: new Date(today),
    ...extra,
  };
}

/** What each rule reports, by messageId and data (the wording is tested in wording.test.ts). */
const reports = (dir: string, today: string, extra: Partial<RuleContext> = {}) => ({
  soon: reviewDueSoon.check(context(dir, today, extra)).map(({ messageId, data }) => ({ messageId, data })),
  overdue: reviewOverdue.check(context(dir, today, extra)).map(({ messageId, data }) => ({ messageId, data })),
});
const promoted = { afterDays: '30', promotedOn: '2026-01-30' };

describe('review-due-soon and review-overdue', () => {
  it('say nothing while the review is more than 7 days away', () => {
    expect(reports(project(), '2026-02-21T12:00:00Z')).toEqual({ soon: [], overdue: [] });
  });

  it('warn from 7 days before the due date to the day itself', () => {
    const dir = project();
    expect(reports(dir, '2026-02-22T00:00:00Z').soon).toEqual([
      { messageId: 'dueSoon', data: { when: 'in 7 days', due: '2026-03-01', ...promoted } },
    ]);
    expect(reports(dir, '2026-02-28T23:59:00Z').soon[0]!.data).toMatchObject({ when: 'in 1 day', due: '2026-03-01' });
    expect(reports(dir, '2026-03-01T08:00:00Z')).toEqual({
      soon: [{ messageId: 'dueSoon', data: { when: 'today', due: '2026-03-01', ...promoted } }],
      overdue: [],
    });
  });

  it('fail the day after the due date, and count the days late', () => {
    const dir = project();
    expect(reports(dir, '2026-03-02T00:00:00Z')).toEqual({
      soon: [],
      overdue: [{ messageId: 'overdue', data: { late: '1 day', due: '2026-03-01', ...promoted } }],
    });
    expect(reports(dir, '2026-03-11T00:00:00Z').overdue[0]!.data).toMatchObject({ late: '10 days' });
  });

  it('count from the last promotion, with the spec review.afterDays', () => {
    const spec = example();
    spec.review = { owner: 'lead@example.com', afterDays: 14 };
    // Due 2026-02-13: overdue on the 20th.
    expect(reports(project(), '2026-02-20T00:00:00Z', { spec }).overdue[0]!.data).toMatchObject({ due: '2026-02-13', afterDays: '14' });
  });

  it('are satisfied by a review dated on or after the due date, not by an earlier one', () => {
    const dir = project();
    put(dir, 'docs/reviews/2026-02-27-review.md', '# early\n');
    expect(reports(dir, '2026-03-05T00:00:00Z').overdue).toHaveLength(1);
    put(dir, 'docs/reviews/2026-03-03-review.md', '# done\n');
    expect(reports(dir, '2026-03-05T00:00:00Z')).toEqual({ soon: [], overdue: [] });
  });

  it('say nothing without a promotion, or without a history', () => {
    const rolledBack = JSON.stringify([{ specHash: 'b', status: 'rolled-back', startedAt: '2026-01-20T09:00:00Z' }]);
    expect(reports(project(rolledBack), '2026-06-01T00:00:00Z')).toEqual({ soon: [], overdue: [] });
    const dir = tempDir();
    put(dir, 'shipshape.yaml', 'apiVersion: shipshape/v1\n');
    expect(reports(dir, '2026-06-01T00:00:00Z')).toEqual({ soon: [], overdue: [] });
  });

  it('are reported by check at the deployment history, as an error and a warning', async () => {
    const dir = project();
    copyFileSync(EXAMPLE, join(dir, 'shipshape.yaml'));
    const run = (today: string) =>
      runCheck({ paths: [join(dir, 'shipshape.yaml')], cwd: dir, failSeverity: 'error', today: new Date(today) }).then((result) =>
        result.results.flatMap((r) => r.findings).filter((f) => f.ruleId.startsWith('review-')),
      );
    const overdue = await run('2026-03-10T00:00:00Z');
    expect(overdue.map((f) => [f.ruleId, f.severity, f.file])).toEqual([['review-overdue', 'error', '.shipshape/deployments.json']]);
    const soon = await run('2026-02-26T00:00:00Z');
    expect(soon.map((f) => [f.ruleId, f.severity])).toEqual([['review-due-soon', 'warn']]);
  });
});
