// Admission control (the load-shedding pattern): the service takes at most `maxInFlight`
// prediction requests at once; a few more wait, first come first served, for at most
// `maxQueueWaitMs`; the rest are refused at once with 503 and Retry-After, which costs next to
// nothing, instead of queueing past their deadline. A saturated event loop (a CPU-bound
// process: every request waits for the loop, not for a slot) sheds as well.
import { BulkheadRejectedError, TaskCancelledError } from 'cockatiel';
import { Bulkhead } from '../orchestration/bulkhead.js';

export interface AdmissionLimits {
  /** Prediction requests answered at once. */
  maxInFlight: number;
  /** Requests waiting for a turn; beyond them, 503 at once. */
  maxQueue: number;
  /** The longest a request waits for a turn, and the event-loop lag above which new requests are shed. */
  maxQueueWaitMs: number;
  /**
   * The event-loop lag above which new requests are shed, when it is not maxQueueWaitMs. The in-process scenario
   * tests set Infinity: there the loop is shared with the test's own load and a busy machine, which is not the
   * service's overload (that is `shipshape validate`'s to judge, on a service in a process of its own).
   */
  maxEventLoopLagMs?: number;
}

/** Why a request was shed: a label of ai_requests_shed_total. */
export type ShedReason = 'queue-full' | 'queue-timeout' | 'event-loop-lag';

export class ShedError extends Error {
  override name = 'ShedError';
  constructor(readonly reason: ShedReason) {
    super(`the service is overloaded (${reason}): try again shortly`);
  }
}

/** How often the event loop's lag is sampled. */
const LAG_SAMPLE_MS = 100;

export class Admission {
  private readonly gate: Bulkhead;
  private lagMs = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(readonly limits: AdmissionLimits) {
    this.gate = new Bulkhead(limits.maxInFlight, limits.maxQueue);
    let expected = performance.now() + LAG_SAMPLE_MS;
    this.timer = setInterval(() => {
      const now = performance.now();
      // The lag of this tick, decaying the older ones: a single slow tick does not shed for long.
      this.lagMs = Math.max(now - expected, this.lagMs / 2);
      expected = now + LAG_SAMPLE_MS;
    }, LAG_SAMPLE_MS);
    this.timer.unref();
  }

  /** The event loop's recent lag, in milliseconds. */
  get lag(): number {
    return this.lagMs;
  }

  get inFlight(): number {
    return this.gate.inFlight;
  }

  get queued(): number {
    return this.gate.queued;
  }

  /** A turn: resolves with its release, or rejects with ShedError (or TaskCancelledError when `signal` aborts first). */
  async admit(signal: AbortSignal): Promise<() => void> {
    if (this.lagMs > (this.limits.maxEventLoopLagMs ?? this.limits.maxQueueWaitMs)) throw new ShedError('event-loop-lag');
    // A free slot: no timer for a wait that will not happen.
    if (this.gate.inFlight < this.limits.maxInFlight) return this.gate.acquire(signal);
    const waited = AbortSignal.any([signal, AbortSignal.timeout(this.limits.maxQueueWaitMs)]);
    try {
      return await this.gate.acquire(waited);
    } catch (error) {
      if (error instanceof BulkheadRejectedError) throw new ShedError('queue-full');
      if (error instanceof TaskCancelledError && !signal.aborted) throw new ShedError('queue-timeout');
      throw error;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
