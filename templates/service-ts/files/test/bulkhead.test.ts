// The bulkhead behind the tiers and the admission control: slots, a bounded queue served in
// order, and waiters that leave the queue the moment their caller gives up.
import { BulkheadRejectedError, TaskCancelledError } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { Bulkhead } from '../src/orchestration/bulkhead.js';

describe('Bulkhead', () => {
  it('grants maxConcurrent slots, queues maxQueue, refuses the rest, and hands a released slot to the first waiter', async () => {
    const bulkhead = new Bulkhead(1, 2);
    const release = await bulkhead.acquire();
    const order: string[] = [];
    const second = bulkhead.acquire().then((r) => (order.push('second'), r));
    const third = bulkhead.acquire().then((r) => (order.push('third'), r));
    await expect(bulkhead.acquire()).rejects.toBeInstanceOf(BulkheadRejectedError);
    expect({ inFlight: bulkhead.inFlight, queued: bulkhead.queued }).toEqual({ inFlight: 1, queued: 2 });
    release();
    // Released twice: still one slot.
    release();
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect({ inFlight: bulkhead.inFlight, queued: bulkhead.queued }).toEqual({ inFlight: 0, queued: 0 });
  });

  it('drops a waiter whose signal aborts, at once, and its place goes to the next', async () => {
    const bulkhead = new Bulkhead(1, 1);
    const release = await bulkhead.acquire();
    const caller = new AbortController();
    const waiting = bulkhead.acquire(caller.signal);
    caller.abort();
    await expect(waiting).rejects.toBeInstanceOf(TaskCancelledError);
    expect(bulkhead.queued).toBe(0);
    // The queue has room again, and the slot goes to the live waiter.
    const next = bulkhead.acquire();
    release();
    await expect(next).resolves.toBeTypeOf('function');
    expect(bulkhead.inFlight).toBe(1);
  });

  it('refuses an already aborted caller without a slot', async () => {
    const bulkhead = new Bulkhead(1, 1);
    await expect(bulkhead.acquire(AbortSignal.abort())).rejects.toBeInstanceOf(TaskCancelledError);
    expect(bulkhead.inFlight).toBe(0);
  });
});
