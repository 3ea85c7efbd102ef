import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { analyze, percentile } from '../../src/deploy/analysis.js';
import { runRollout, type Pause, type RolloutEvent, type RolloutOptions } from '../../src/deploy/controller.js';
import type { DeploySpec } from '../../src/deploy/driver.js';
import type { Deployment } from '../../src/state/deployments.js';
import { FakeDriver } from './fake-driver.js';

const DEPLOY: DeploySpec = {
  strategy: 'blue-green',
  driver: 'local',
  steps: [{ weight: 10, pauseSeconds: 20 }, { weight: 50, pauseSeconds: 10 }, { weight: 100 }],
  analysis: {
    intervalSeconds: 10,
    failureLimit: 1,
    minRequests: 20,
    metrics: [
      { name: 'error-rate-percent', max: 1 },
      { name: 'p95-latency-ms', max: 500 },
      { name: 'business', metric: 'routing_accuracy', min: 0.8 },
    ],
  },
};
const RECORD: Deployment = { id: 'd1', specHash: 'abc', status: 'in-progress', startedAt: '2026-12-01T00:00:00.000Z', version: 'v2' };
const healthy = () => ({ requests: 100, errors: 0, p95LatencyMs: 50, p99LatencyMs: 80, business: { routing_accuracy: 0.9 } });

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

async function roll(driver: FakeDriver, options: Partial<RolloutOptions> = {}) {
  const events: RolloutEvent[] = [];
  const saved: Deployment[] = [];
  const running = runRollout({
    deploy: DEPLOY,
    driver,
    record: RECORD,
    onEvent: (e) => events.push(e),
    save: async (r) => void saved.push(structuredClone(r)),
    ...options,
  });
  await vi.runAllTimersAsync();
  const result = await running;
  return { result, events, saved };
}

describe('the rollout controller', () => {
  it('walks every step, an analysis per interval of each pause, then promotes', async () => {
    const driver = new FakeDriver();
    driver.green = healthy;
    const { result, saved } = await roll(driver);
    expect(result.record.status).toBe('promoted');
    expect(driver.calls).toEqual(['weight 10', 'weight 50', 'weight 100', 'promote']);
    expect(result.record.steps?.map((s) => [s.weight, s.analyses.length, s.verdict])).toEqual([
      [10, 2, 'pass'],
      [50, 1, 'pass'],
      [100, 1, 'pass'],
    ]);
    // Saved after every step, not only at the end: a crash loses at most the step in progress.
    expect(saved.length).toBeGreaterThanOrEqual(7);
    expect(result.record.timings?.rolloutSeconds).toBe(40);
  });

  it('rolls back once failed analyses pass the failure limit, not before', async () => {
    const driver = new FakeDriver();
    driver.green = (_w, call) => ({ ...healthy(), errors: call >= 2 ? 5 : 0 });
    const { result, events } = await roll(driver);
    expect(result.record.status).toBe('rolled-back');
    expect(result.record.reason).toMatch(/2 failed analyses, over the limit of 1 \(error-rate-percent 5 is over the maximum 1\)/);
    // The first failure (call 2) is within the limit; the second (call 3, step 2) rolls back.
    expect(driver.calls).toEqual(['weight 10', 'weight 50', 'rollback']);
    expect(events.filter((e) => e.type === 'analysis').map((e) => e.type === 'analysis' && e.failures)).toEqual([0, 1, 2]);
  });

  describe('with rollback.automatic: false', () => {
    const manual = (holdAt?: 'blue' | 'step'): DeploySpec => ({ ...DEPLOY, rollback: { automatic: false, ...(holdAt ? { holdAt } : {}) } });
    const failing = () => {
      const driver = new FakeDriver();
      driver.green = (_w, call) => ({ ...healthy(), errors: call >= 2 ? 5 : 0 });
      return driver;
    };

    it('pauses on the failed analysis with traffic on blue, records the evidence, and promotes when told', async () => {
      const driver = failing();
      const pauses: Pause[] = [];
      const { result, events, saved } = await roll(driver, {
        deploy: manual(),
        decide: async (pause) => {
          pauses.push(pause);
          return 'promote';
        },
      });
      expect(pauses).toHaveLength(1);
      expect(pauses[0]).toMatchObject({ holdAt: 'blue', weight: 0 });
      expect(pauses[0]?.checks.find((c) => c.metric === 'error-rate-percent')).toMatchObject({ value: 5, verdict: 'fail' });
      expect(events.some((e) => e.type === 'paused')).toBe(true);
      // Saved as paused before waiting, so deploy status and deploy promote can see it.
      expect(saved.some((r) => r.status === 'in-progress' && r.paused && !r.paused.decision)).toBe(true);
      expect(driver.calls).toEqual(['weight 10', 'weight 50', 'weight 0', 'weight 100', 'promote']);
      expect(result).toMatchObject({ paused: 'promote', record: { status: 'promoted', paused: { decision: 'promote' } } });
      expect(result.record.reason).toMatch(/promoted by hand \(deploy promote\) after the rollout paused: 2 failed analyses/);
    });

    it('holds traffic at the step with holdAt: step, and rolls back when told', async () => {
      const driver = failing();
      const { result } = await roll(driver, { deploy: manual('step'), decide: async () => 'rollback' });
      expect(driver.calls).toEqual(['weight 10', 'weight 50', 'rollback']);
      expect(result).toMatchObject({ paused: 'rollback', record: { status: 'rolled-back', paused: { holdAt: 'step', weight: 50 } } });
      expect(result.record.reason).toMatch(/rolled back by hand \(deploy rollback\) after the pause/);
    });

    it('rolls back when no one can decide, and a drill never pauses', async () => {
      const undecided = await roll(failing(), { deploy: manual() });
      expect(undecided.result).toMatchObject({ paused: 'abort', record: { status: 'rolled-back' } });
      expect(undecided.result.record.reason).toMatch(/none can be given without a terminal/);
      const decide = vi.fn(async () => 'promote' as const);
      const drill = await roll(failing(), { deploy: manual(), drill: true, decide });
      expect(decide).not.toHaveBeenCalled();
      expect(drill.result.record).toMatchObject({ status: 'rolled-back' });
      expect(drill.result.record.paused).toBeUndefined();
    });
  });

  it('fails a step whose analyses were all inconclusive (too little traffic): never a silent pass', async () => {
    const driver = new FakeDriver();
    driver.green = () => ({ requests: 3, errors: 0, p95LatencyMs: 10 });
    const { result } = await roll(driver);
    expect(result.record.status).toBe('rolled-back');
    expect(result.record.reason).toMatch(/step 1 \(weight 10%\) ended without a conclusive analysis: 3 requests, fewer than the 20/);
    expect(result.record.steps?.[0]?.verdict).toBe('inconclusive');
  });

  it('treats a missing business gauge as no data', async () => {
    const driver = new FakeDriver();
    driver.green = () => ({ requests: 100, errors: 0, p95LatencyMs: 10 });
    const { result } = await roll(driver);
    expect(result.record.status).toBe('rolled-back');
    expect(result.record.reason).toMatch(/no routing_accuracy gauge/);
  });

  it('passes a step when one analysis was inconclusive and a later one passed', async () => {
    const driver = new FakeDriver();
    driver.green = (_w, call) => (call === 1 ? { requests: 0, errors: 0 } : healthy());
    const { result } = await roll(driver);
    expect(result.record.status).toBe('promoted');
    expect(result.record.steps?.[0]?.analyses.map((a) => a.verdict)).toEqual(['inconclusive', 'pass']);
  });

  it('rolls back at once when green fails its health check, between analyses', async () => {
    const driver = new FakeDriver();
    driver.green = healthy;
    driver.healthy = (call) => (call >= 13 ? { ok: false, reason: 'green exited with code 1' } : { ok: true });
    const { result } = await roll(driver);
    expect(result.record.status).toBe('rolled-back');
    expect(result.record.reason).toBe('green exited with code 1');
    expect(driver.calls).toEqual(['weight 10', 'rollback']);
    // Detected at the 13th second, not at the next analysis.
    expect(result.detectedAt! - Date.parse(RECORD.startedAt)).toBe(13_000);
  });

  it('rolls back on Ctrl-C and says it was interrupted', async () => {
    const driver = new FakeDriver();
    driver.green = healthy;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 15_000);
    const { result } = await roll(driver, { signal: controller.signal });
    expect(result.interrupted).toBe(true);
    expect(result.record.status).toBe('rolled-back');
    expect(result.record.reason).toMatch(/interrupted/);
    expect(driver.calls).toEqual(['weight 10', 'rollback']);
  });

  it('records a driver that throws as failed, after sending traffic back to blue', async () => {
    const driver = new FakeDriver();
    driver.green = healthy;
    driver.setWeight = async () => {
      throw new Error('proxy gone');
    };
    const { result } = await roll(driver);
    expect(result.record.status).toBe('failed');
    expect(result.record.reason).toBe('the local driver failed: proxy gone');
    expect(driver.calls).toEqual(['rollback']);
  });

  it('never promotes a drill: a drill whose rollback did not fire fails', async () => {
    const driver = new FakeDriver();
    driver.green = healthy;
    const { result } = await roll(driver, { drill: true });
    expect(result.record.status).toBe('failed');
    expect(driver.calls).not.toContain('promote');
    expect(result.record.reason).toMatch(/never fired/);
  });
});

describe('one analysis', () => {
  const spec = DEPLOY.analysis!;
  it('checks each metric against its bounds', () => {
    const { verdict, checks } = analyze({ requests: 200, errors: 1, p95LatencyMs: 600, business: { routing_accuracy: 0.7 } }, spec);
    expect(verdict).toBe('fail');
    expect(checks.map((c) => [c.metric, c.value, c.verdict])).toEqual([
      ['error-rate-percent', 0.5, 'pass'],
      ['p95-latency-ms', 600, 'fail'],
      ['business routing_accuracy', 0.7, 'fail'],
    ]);
  });
  it('reads availability as the share of requests without error, in percent', () => {
    const { checks } = analyze({ requests: 1000, errors: 2 }, { ...spec, metrics: [{ name: 'availability', min: 99.9 }] });
    expect(checks[0]).toMatchObject({ value: 99.8, verdict: 'fail' });
  });
  it('takes 20 requests as the minimum when the spec does not say', () => {
    const { minRequests: _, ...rest } = spec;
    expect(analyze({ requests: 19, errors: 0, p95LatencyMs: 1, business: { routing_accuracy: 1 } }, rest).verdict).toBe('inconclusive');
    expect(analyze({ requests: 20, errors: 0, p95LatencyMs: 1, business: { routing_accuracy: 1 } }, rest).verdict).toBe('pass');
  });
  it('takes percentiles by nearest rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(95);
    expect(percentile([], 95)).toBeUndefined();
  });
});
