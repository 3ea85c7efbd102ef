import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { evenShare, startProxy } from '../../src/deploy/drivers/local/proxy.js';
import { startVersion, waitReady } from '../../src/deploy/drivers/local/process.js';
import { parseGauges } from '../../src/deploy/drivers/local/scrape.js';
import { runLoad } from '../../src/load/traffic.js';
import { ROOT, tempDir } from '../helpers/temp.js';

const FIXTURE = join(ROOT, 'test/fixtures/deploy/service');

async function version(name: string, role: 'blue' | 'green') {
  const dir = tempDir();
  cpSync(FIXTURE, dir, { recursive: true });
  const process = await startVersion({ dir, version: name, role, variables: [] });
  onTestFinished(() => process.stop());
  await waitReady(process, 30_000);
  return process;
}

describe('the weighted proxy', () => {
  it('drops no request while the weight shifts from blue to green and blue retires', async () => {
    const [blue, green] = await Promise.all([version('v1', 'blue'), version('v2', 'green')]);
    const proxy = await startProxy();
    onTestFinished(() => proxy.close());
    proxy.setUpstream('blue', blue.url);
    proxy.setUpstream('green', green.url);
    const stop = new AbortController();
    const load = runLoad({ url: proxy.url, rps: 200, signal: stop.signal });
    for (const weight of [0, 10, 25, 50, 75, 100]) {
      proxy.setWeight(weight);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    // Blue leaves once drained, under load.
    proxy.setUpstream('blue', undefined);
    await proxy.drain('blue');
    await blue.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop.abort();
    const result = await load;
    const taken = proxy.take();
    const statuses = result.results.filter((r) => !r.ok).map((r) => r.status);
    expect(result.sent).toBeGreaterThan(100);
    expect(statuses).toEqual([]);
    expect(taken.blue.requests).toBeGreaterThan(0);
    expect(taken.green.requests).toBeGreaterThan(0);
    expect(taken.blue.errors + taken.green.errors).toBe(0);
  });

  it('splits by weight, and fails green on purpose at the drill rate', async () => {
    const [blue, green] = await Promise.all([version('v1', 'blue'), version('v2', 'green')]);
    const proxy = await startProxy({ greenErrorRate: 1 });
    onTestFinished(() => proxy.close());
    proxy.setUpstream('blue', blue.url);
    proxy.setUpstream('green', green.url);
    proxy.setWeight(50);
    const result = await runLoad({ url: proxy.url, rps: 200, durationMs: 1000 });
    const taken = proxy.take();
    expect(taken.green.requests).toBeGreaterThan(20);
    // Exactly half, not half on average.
    expect(Math.abs(taken.green.requests - taken.blue.requests)).toBeLessThanOrEqual(1);
    expect(taken.green.errors).toBe(taken.green.requests);
    expect(taken.blue.errors).toBe(0);
    expect(result.failed).toBe(taken.green.requests);
    expect(proxy.firstGreenErrorAt()).toBeTypeOf('number');
  });
});

describe('evenShare', () => {
  it("gives exactly the weight's share, spread evenly, and follows a change of weight at once", () => {
    const share = evenShare();
    const picks = (percent: number, count: number): number[] => Array.from({ length: count }, () => (share(percent) ? 1 : 0));
    // 25%: every fourth, so any window of four has one, and a one-second analysis at 10 rps has 2 or 3, never 0.
    expect(picks(25, 12)).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(picks(10, 100).reduce((a, b) => a + b)).toBe(10);
    expect(picks(100, 5)).toEqual([1, 1, 1, 1, 1]);
    expect(picks(0, 5)).toEqual([0, 0, 0, 0, 0]);
    // A third is one in three; out of range, below 0 (or not a number) is none and above 100 all.
    expect(picks(100 / 3, 300).reduce((a, b) => a + b)).toBe(100);
    expect(picks(-5, 4)).toEqual([0, 0, 0, 0]);
    expect(picks(250, 3)).toEqual([1, 1, 1]);
    expect(picks(Number.NaN, 3)).toEqual([0, 0, 0]);
    expect(picks(50, 4)).toEqual([0, 1, 0, 1]);
  });
});

describe('the business gauges of /metrics', () => {
  it('reads the first sample of each named metric, labels or not', () => {
    const text = '# HELP routing_accuracy x\n# TYPE routing_accuracy gauge\nrouting_accuracy{service="a"} 0.91\nother 3\nlatency_ms 12\n';
    expect(parseGauges(text, ['routing_accuracy', 'latency_ms', 'missing'])).toEqual({ routing_accuracy: 0.91, latency_ms: 12 });
  });

  it('reads ai_business_metric by its metric label, as the generated service exports it', () => {
    const text = [
      '# TYPE ai_business_metric gauge',
      'ai_business_metric{metric="routing_accuracy",service="support-triage"} 0.88',
      'ai_business_metric{service="support-triage",metric="median_first_response_minutes"} 55',
      'ai_business_observations_total{metric="routing_accuracy"} 9',
    ].join('\n');
    expect(parseGauges(text, ['routing_accuracy', 'median_first_response_minutes', 'ai_business_observations_total'])).toEqual({
      routing_accuracy: 0.88,
      median_first_response_minutes: 55,
      ai_business_observations_total: 9,
    });
  });
});
