// A bulkhead: at most `maxConcurrent` holders at once, and at most `maxQueue` waiting for a turn,
// first come first served. cockatiel's own bulkhead keeps a waiter whose caller has given up in
// its queue until a slot frees (holding a place of the queue past the request's deadline, and
// then handing the slot to nobody); this one drops a waiter the moment its signal aborts. The
// service's admission control (src/serving/admission.ts) is the same gate in front of the whole
// request.
import { BulkheadRejectedError, TaskCancelledError } from 'cockatiel';

export class Bulkhead {
  private active = 0;
  private readonly waiting: { grant: () => void; abandon: () => void }[] = [];

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueue: number,
  ) {}

  /** Holders now. */
  get inFlight(): number {
    return this.active;
  }

  /** Waiters now. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * A slot: resolves with its release (call it once), after waiting in the queue if need be.
   * Rejects with BulkheadRejectedError when the queue is full, and with TaskCancelledError when
   * `signal` aborts (before or while waiting).
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new TaskCancelledError('aborted before a slot of the bulkhead'));
    if (this.active < this.maxConcurrent) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.maxQueue) return Promise.reject(new BulkheadRejectedError(this.maxConcurrent, this.maxQueue));
    return new Promise((resolve, reject) => {
      const onAbort = () => waiter.abandon();
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
        abandon: () => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(new TaskCancelledError('aborted while waiting for a slot of the bulkhead'));
        },
      };
      this.waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes to the next waiter as it is: no newcomer can take it in between.
      if (next) next.grant();
      else this.active--;
    };
  }
}
