/**
 * The mock model behind the proxy when no real upstream is given: the default pack's own fake upstream
 * (templates/service-ts/files/src/dev/fake-llm.ts), bundled into shipshape, so the codebase has one mock model. It
 * answers like the OpenAI chat completions API; its latency is configurable here, its faults are left to the proxy.
 */
import { startFakeLlm, type FakeLlm } from '../../templates/service-ts/files/src/dev/fake-llm.js';

export interface MockModelOptions {
  /** Every answer waits this long, as a hosted model would (0 for none). */
  latencyMs?: number;
}

/** A running mock model; `url` is its API base (ending in /v1), `close()` stops it. */
export type MockModel = Pick<FakeLlm, 'url' | 'close' | 'requests'>;

/** Starts the mock model on an ephemeral port of 127.0.0.1. */
export function startMockModel(options: MockModelOptions = {}): Promise<MockModel> {
  const latencyMs = options.latencyMs ?? 0;
  return startFakeLlm({ fault: latencyMs > 0 ? { type: 'latency', delayMs: latencyMs, rate: 1 } : null });
}
