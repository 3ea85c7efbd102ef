import type { FaultHandler } from './types.js';

const DEFAULT_DELAY_MS = 5000;

/** Holds the request `delayMs` (± `jitterMs`, drawn uniformly), then passes it on. */
export const latency: FaultHandler = {
  summary: 'answers correctly after delayMs (± jitterMs)',
  async handle({ fault, random, sleep, forward }) {
    const base = fault.delayMs ?? DEFAULT_DELAY_MS;
    const jitter = fault.jitterMs ?? 0;
    const ms = Math.max(0, base + (random() * 2 - 1) * jitter);
    if (await sleep(ms)) await forward();
  },
};
