import type { Driver, Health, MetricsWindow } from '../../src/deploy/driver.js';
import type { VersionMetrics } from '../../src/state/deployments.js';

/** A driver that records what the controller asks of it and answers from a script. */
export class FakeDriver implements Driver {
  readonly kind = 'local' as const;
  readonly calls: string[] = [];
  weight = 0;
  /** Green's figures for each call of metrics(), by the weight at the time. */
  green: (weight: number, call: number) => VersionMetrics = () => ({ requests: 100, errors: 0, p95LatencyMs: 50, p99LatencyMs: 80 });
  healthy: (call: number) => Health = () => ({ ok: true });
  private metricsCalls = 0;
  private healthCalls = 0;

  async prepare() {
    return { version: 'v2', location: '/releases/v2' };
  }
  async start() {
    this.calls.push('start');
  }
  async setWeight(weight: number) {
    this.weight = weight;
    this.calls.push(`weight ${weight}`);
  }
  async health(): Promise<Health> {
    return this.healthy(++this.healthCalls);
  }
  async metrics(): Promise<MetricsWindow> {
    return { green: this.green(this.weight, ++this.metricsCalls), blue: { requests: 10, errors: 0 } };
  }
  async promote() {
    this.calls.push('promote');
  }
  async rollback() {
    this.calls.push('rollback');
  }
  endpoint() {
    return undefined;
  }
  async serve() {}
  async cleanup() {
    this.calls.push('cleanup');
  }
}
