import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runIterate } from '../../src/init/iterate.js';
import { loadSpecFile } from '../../src/spec/load.js';
import { serializeReviews, type ReviewRecord } from '../../src/state/reviews.js';
import { put } from '../helpers/generated.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';
import { rejection } from '../helpers/errors.js';

const RECORD: ReviewRecord = {
  date: '2026-03-01',
  file: 'docs/reviews/2026-03-01-review.md',
  decision: 'iterate',
  ruled: 'iterate',
  specHash: 'x',
  completedAt: '2026-03-01T00:00:00.000Z',
  business: { name: 'median_first_response_minutes', baseline: 240, target: 60, actual: 75 },
  failedCriteria: ['first-response'],
  backlog: [
    {
      rank: 1,
      kind: 'criterion',
      title: 'Meet success criterion first-response: median_first_response_minutes at most 60',
      why: 'measured 75',
      overrunPercent: 25,
    },
    { rank: 2, kind: 'drift', title: 'Investigate the drift of language', why: 'measured 0.31', overrunPercent: 55 },
  ],
};

function project(record: ReviewRecord | null = RECORD): string {
  const dir = tempDir();
  put(dir, 'shipshape.yaml', readFileSync(EXAMPLE));
  if (record) put(dir, '.shipshape/reviews.json', serializeReviews({ version: 1, reviews: [record] }));
  return dir;
}

describe('init --iterate', () => {
  it('starts the next iteration from the last review: the measured baseline, the backlog as focus, comments kept', async () => {
    const dir = project();
    const result = await runIterate({ cwd: dir });
    expect(result.written).toBe(true);
    const text = readFileSync(join(dir, 'shipshape.yaml'), 'utf8');
    expect(text).toContain('    baseline: 75\n');
    expect(text).toContain('    direction: decrease        # increase | decrease\n');
    expect(text).toContain('review:                        # stage 8\n');
    const loaded = await loadSpecFile(join(dir, 'shipshape.yaml'));
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.spec!.review!.iteration).toEqual({
      number: 2,
      from: '2026-03-01',
      focus: ['Meet success criterion first-response: median_first_response_minutes at most 60', 'Investigate the drift of language'],
    });
    // Everything else holds: the target, the criteria, the rest of the spec.
    expect(loaded.spec!.business.metric.target).toBe(60);
    expect(text.replace('    baseline: 75\n', '    baseline: 240\n').split('\n  iteration:')[0]).toBe(
      readFileSync(EXAMPLE, 'utf8').trimEnd(),
    );
  });

  it('keeps the baseline when the service made the business metric worse, or it was not measured', async () => {
    const worse = project({ ...RECORD, decision: 'roll-back', ruled: 'roll-back', business: { ...RECORD.business, actual: 260 } });
    const result = await runIterate({ cwd: worse, dryRun: true });
    expect(result.baseline).toBe('median_first_response_minutes measured 260, worse than the baseline: the baseline stays 240');
    expect(result.diff).not.toContain('baseline');
    const { actual: _actual, ...unmeasured } = RECORD.business;
    const none = await runIterate({ cwd: project({ ...RECORD, business: unmeasured }), dryRun: true });
    expect(none.baseline).toContain('was not measured');
  });

  it('writes nothing under --dry-run', async () => {
    const dir = project();
    const result = await runIterate({ cwd: dir, dryRun: true });
    expect(result.written).toBe(false);
    expect(result.diff).toContain('+    baseline: 75');
    expect(readFileSync(join(dir, 'shipshape.yaml'), 'utf8')).toBe(readFileSync(EXAMPLE, 'utf8'));
  });

  it('refuses without a completed review, and twice from the same review', async () => {
    expect((await rejection(runIterate({ cwd: project(null) }))).message).toBe(
      '.shipshape/reviews.json holds no completed review to iterate from',
    );
    const dir = project();
    await runIterate({ cwd: dir });
    expect((await rejection(runIterate({ cwd: dir }))).message).toBe('shipshape.yaml already starts from the review of 2026-03-01');
  });

  it('refuses a malformed .shipshape/reviews.json', async () => {
    const dir = project();
    put(dir, '.shipshape/reviews.json', '{ "version": 1, "reviews": [{ "date": "March" }] }');
    expect((await rejection(runIterate({ cwd: dir }))).message).toMatch(/^\.shipshape\/reviews\.json reviews\.0\./);
  });
});
