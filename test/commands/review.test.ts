import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reviewsStateSchema } from '../../src/state/reviews.js';
import { fakePrometheus } from '../review/fake-prometheus.js';
import { runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { put } from '../helpers/generated.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';

const HISTORY = JSON.stringify({
  deployments: [
    { specHash: 'a', status: 'rolled-back', startedAt: '2026-01-28T10:00:00Z', finishedAt: '2026-01-28T10:20:00Z' },
    { specHash: 'b', status: 'promoted', startedAt: '2026-01-30T10:00:00Z', finishedAt: '2026-01-30T10:30:00Z' },
  ],
});

const SNAPSHOT = `metrics:
  median_first_response_minutes: 55
  routing_accuracy: 0.93
slo: { availability: 99.95, p95Ms: 900, p99Ms: 2100 }
cost: { perRequestUsd: 0.0015, monthlyUsd: 8200 }
drift: { ticket_chars: 0.05, language: 0.1 }
`;

/** The reference example, promoted on 2026-01-30: its review is due on 2026-03-01. */
function project(): string {
  const dir = tempDir();
  put(dir, 'shipshape.yaml', readFileSync(EXAMPLE));
  put(dir, '.shipshape/deployments.json', HISTORY);
  put(dir, 'metrics.yaml', SNAPSHOT);
  return dir;
}

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const files = (dir: string): string[] => (readdirSync(dir, { recursive: true }) as string[]).filter((f) => !f.startsWith('.')).sort();

describe('shipshape review', () => {
  it('writes the review from a snapshot, and --complete records the decision in .shipshape/reviews.json', async () => {
    const dir = project();
    const result = await runCli(['review', '--metrics', 'metrics.yaml', '--date', '2026-03-01', '--complete'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Decision: keep: every target was measured and met');
    expect(result.stdout).toContain('Wrote docs/reviews/2026-03-01-review.md');
    const review = readFileSync(join(dir, 'docs/reviews/2026-03-01-review.md'), 'utf8');
    expect(review).toContain('- Decision: **keep**');
    const state = reviewsStateSchema.parse(JSON.parse(readFileSync(join(dir, '.shipshape/reviews.json'), 'utf8')));
    expect(state.reviews).toEqual([
      expect.objectContaining({
        date: '2026-03-01',
        file: 'docs/reviews/2026-03-01-review.md',
        decision: 'keep',
        ruled: 'keep',
        business: { name: 'median_first_response_minutes', baseline: 240, target: 60, actual: 55 },
        failedCriteria: [],
        backlog: [],
      }),
    ]);

    // Completing it again with a decision set by hand replaces the record of that day.
    const again = await runInProcess(
      ['review', '--metrics', 'metrics.yaml', '--as-of', '2026-03-01', '--complete', '--decision', 'iterate'],
      {
        cwd: dir,
      },
    );
    expect(again.exitCode).toBe(0);
    const after = reviewsStateSchema.parse(JSON.parse(readFileSync(join(dir, '.shipshape/reviews.json'), 'utf8')));
    expect(after.reviews.map((r) => [r.date, r.decision, r.ruled])).toEqual([['2026-03-01', 'iterate', 'keep']]);

    // status sees stage 8 evidence: a review dated on its due date.
    const status = await runInProcess(['status', '--json'], { cwd: dir });
    const stage8 = (JSON.parse(status.stdout) as { stages: { number: number; evidence: { what: string; ok: boolean }[] }[] }).stages.find(
      (s) => s.number === 8,
    )!;
    expect(stage8.evidence.map((e) => [e.what, e.ok])).toEqual([
      ['promoted deployment', true],
      ['review', true],
    ]);
  });

  it('reads the actuals from a Prometheus HTTP API, and prints only JSON under --json', async () => {
    const dir = project();
    const prometheus = await fakePrometheus((query) => (query.includes('ai_drift_psi') ? undefined : '99.95'));
    const result = await runInProcess(['review', '--prometheus', prometheus.url, '--date', '2026-03-01', '--json'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.stdout) as {
      assessment: { source: string; decision: string; slo: { availability: number } };
      written: string[];
    };
    expect(json.assessment.source).toBe(`Prometheus at ${prometheus.url}`);
    expect(json.assessment.slo.availability).toBe(99.95);
    // 99.95 minutes against a target of 60: worse than the baseline of 240? No: between, so iterate.
    expect(json.assessment.decision).toBe('iterate');
    expect(json.written).toEqual(['docs/reviews/2026-03-01-review.md']);
    expect(prometheus.received.length).toBeGreaterThan(5);
  });

  it('prints the review under --dry-run and writes nothing', async () => {
    const dir = project();
    const before = files(dir);
    const result = await runInProcess(['review', '--metrics', 'metrics.yaml', '--date', '2026-03-01', '--complete', '--dry-run'], {
      cwd: dir,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^# 30-day review of support-triage: 2026-03-01\n/);
    expect(files(dir)).toEqual(before);
    expect(existsSync(join(dir, '.shipshape/reviews.json'))).toBe(false);
  });

  it('notes a review written before it is due', async () => {
    const dir = project();
    const result = await runInProcess(['review', '--metrics', 'metrics.yaml', '--date', '2026-02-20'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('The review is not due until 2026-03-01 (in 9 days)');
  });

  it('exits 2 on bad input: a malformed snapshot, an unreachable Prometheus, a bad date, no source without a terminal', async () => {
    const dir = project();
    put(dir, 'bad.yaml', 'slo:\n  availability: lots\n');
    const bad = await runInProcess(['review', '--metrics', 'bad.yaml'], { cwd: dir });
    expect([bad.exitCode, bad.stderr.split('\n')[0]]).toEqual([2, 'Error: bad.yaml:2:17 slo.availability must be a number']);

    const port = await closedPort();
    const unreachable = await runInProcess(['review', '--prometheus', `http://127.0.0.1:${port}`, '--timeout', '5'], { cwd: dir });
    expect([unreachable.exitCode, unreachable.stderr.split('\n')[0]]).toEqual([
      2,
      `Error: cannot reach Prometheus at http://127.0.0.1:${port} (ECONNREFUSED)`,
    ]);

    const date = await runInProcess(['review', '--metrics', 'metrics.yaml', '--date', '2026-13-45'], { cwd: dir });
    expect([date.exitCode, date.stderr.split('\n')[0]]).toEqual([2, 'Error: --date "2026-13-45" is not a date']);

    const none = await runInProcess(['review'], { cwd: dir });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('review needs actuals, and it does not ask for them when CI is set');
    expect(files(dir)).not.toContain('docs');
  });

  it('seeds the next iteration: init --iterate after review --complete', async () => {
    const dir = project();
    put(dir, 'metrics.yaml', SNAPSHOT.replace('median_first_response_minutes: 55', 'median_first_response_minutes: 75'));
    expect((await runInProcess(['review', '--metrics', 'metrics.yaml', '--date', '2026-03-01', '--complete'], { cwd: dir })).exitCode).toBe(
      0,
    );
    const iterate = await runInProcess(['init', '--iterate'], { cwd: dir });
    expect(iterate.exitCode).toBe(0);
    expect(iterate.stderr).toContain(
      'Iteration 2 from the review of 2026-03-01: the baseline of median_first_response_minutes becomes the measured 75 (was 240).',
    );
    const spec = readFileSync(join(dir, 'shipshape.yaml'), 'utf8');
    expect(spec).toContain('    baseline: 75\n');
    expect(spec).toContain('  iteration:\n    number: 2\n    from: 2026-03-01\n    focus:\n');
    expect((await runInProcess(['check'], { cwd: dir })).exitCode).toBe(0);
  });

  it('exits 2 when nothing was promoted yet', async () => {
    const dir = project();
    put(dir, '.shipshape/deployments.json', JSON.stringify([{ specHash: 'a', status: 'rolled-back', startedAt: '2026-01-28T10:00:00Z' }]));
    const result = await runInProcess(['review', '--metrics', 'metrics.yaml'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('holds no promoted deployment');
  });
});
