// The task's own checks of the tiers' answers (rag: citations and grounding; extract: the JSON Schema), counted in
// ai_output_checks_total and, when the spec names them as business metrics, as the rates it asks for:
// grounded_answer_rate (rag) and schema_valid_rate (extract), exported as ai_business_metric like feedback's.
import type { BusinessMetrics } from './business.js';
import type { Metrics } from './metrics.js';

/** The business metric each check feeds, 1 for a pass and 0 for a failure, when the spec has it. */
export const CHECK_METRICS: Readonly<Record<string, string>> = { grounding: 'grounded_answer_rate', schema: 'schema_valid_rate' };

export class OutputChecks {
  private sink: { metrics: Metrics; business: BusinessMetrics } | undefined;

  /** Where the results go: the app's registry and business metrics (createApp attaches them). */
  attach(metrics: Metrics, business: BusinessMetrics): void {
    this.sink = { metrics, business };
  }

  record(check: string, tier: string, passed: boolean): void {
    if (!this.sink) return;
    this.sink.metrics.outputChecks.inc({ check, tier, outcome: passed ? 'pass' : 'fail' });
    this.observe(CHECK_METRICS[check], passed);
  }

  /** An observation of 1 or 0 of a business metric, when the spec names it (business.metric, successCriteria[].metric). */
  observe(metric: string | undefined, passed: boolean): void {
    if (metric !== undefined && this.sink?.business.names.includes(metric)) this.sink.business.observe(metric, passed ? 1 : 0);
  }
}
