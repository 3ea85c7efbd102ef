import { describe, expect, it } from 'vitest';
import { drillReport } from '../../src/deploy/run.js';
import type { Deployment } from '../../src/state/deployments.js';

const record = (status: Deployment['status']): Deployment => ({ specHash: 'a', status, startedAt: 's' });
const at = (ms: number, ok: boolean) => ({ at: ms, ok, status: ok ? 200 : 500, latencyMs: 1 });

describe('the drill report', () => {
  const traffic = {
    results: [at(1000, true), at(2000, false), at(2500, false), at(2600, true), at(4000, false), at(9000, false)],
    sent: 6,
    failed: 4,
    skipped: 0,
    durationMs: 9000,
  };

  it('counts from the first bad request to detection and to all traffic on blue, and the failures between', () => {
    const report = drillReport(
      { record: record('rolled-back'), interrupted: false, detectedAt: 3500, blueAt: 4200 },
      traffic,
      undefined,
      0.5,
    );
    expect(report).toEqual({
      errorRate: 0.5,
      passed: true,
      firstBadAt: new Date(2000).toISOString(),
      secondsToDetection: 1.5,
      secondsToBlue: 2.2,
      failedRequests: 3,
      totalRequests: 6,
    });
  });

  it('fails when the rollout was not rolled back by the controller, or was interrupted', () => {
    expect(drillReport({ record: record('failed'), interrupted: false }, traffic, undefined, 0.5).passed).toBe(false);
    expect(
      drillReport({ record: record('rolled-back'), interrupted: true, detectedAt: 1, blueAt: 2 }, traffic, undefined, 0.5).passed,
    ).toBe(false);
  });

  it("takes the driver's first bad request when it came before the load saw one", () => {
    const report = drillReport({ record: record('rolled-back'), interrupted: false, detectedAt: 3500, blueAt: 4200 }, traffic, 1500, 1);
    expect(report.secondsToDetection).toBe(2);
  });
});
