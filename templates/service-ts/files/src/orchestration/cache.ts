// The answers of the cache fallback: the latest good answer per input, for
// resilience.fallback.cacheTtlSeconds, the oldest dropped first beyond `capacity`.
import type { Prediction } from '../serving/tier.js';

export class AnswerCache {
  private readonly entries = new Map<string, { prediction: Prediction; tier: string; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly capacity = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  set(key: string, prediction: Prediction, tier: string): void {
    this.entries.delete(key);
    this.entries.set(key, { prediction, tier, expires: this.now() + this.ttlMs });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get(key: string): { prediction: Prediction; tier: string } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }
}
