// When the local supervisor starts a live release that died again, and when it gives up.
import { describe, expect, it } from 'vitest';
import { nextRestartDelay, RESTART_DELAYS_MS } from '../../src/deploy/drivers/local/runtime.js';

const at = (count: number, lastAt: number) => ({ count, lastAt: new Date(lastAt).toISOString(), lastExit: 'exited with code 1' });

describe('nextRestartDelay', () => {
  const now = Date.parse('2026-12-02T05:00:00Z');
  it('waits longer after each recent death, then gives up', () => {
    expect(nextRestartDelay(undefined, now)).toBe(1_000);
    expect([1, 2, 3, 4].map((n) => nextRestartDelay(at(n, now - 5_000), now))).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(nextRestartDelay(at(RESTART_DELAYS_MS.length, now - 5_000), now)).toBeUndefined();
  });
  it('counts afresh once the release ran ten minutes since its last restart', () => {
    expect(nextRestartDelay(at(5, now - 600_001), now)).toBe(1_000);
    expect(nextRestartDelay(at(5, now - 599_000), now)).toBeUndefined();
  });
});
