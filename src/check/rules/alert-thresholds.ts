import type { RuleReport } from '../types.js';
import { defineRule, num, warn } from './util.js';

export const alertThresholds = defineRule({
  id: 'alert-thresholds',
  description: 'monitoring.alerts sets errorRatePercent and p95LatencyMs; warns when the latency alert is looser than slo.latency.p95Ms.',
  defaultSeverity: 'error',
  stage: 7,
  rationale:
    'The alert rules and runbook handed to on-call are generated from these thresholds. Without them nobody is paged when the service degrades; with a latency threshold above the SLO, the SLO is broken before anyone hears about it.',
  hint: 'Set monitoring.alerts.errorRatePercent and p95LatencyMs, with p95LatencyMs at or below slo.latency.p95Ms.',
  examples: {
    pass: `slo: { availability: 99.9, latency: { p95Ms: 1200, p99Ms: 2500 } }
monitoring:
  alerts: { burnRate: true, errorRatePercent: 1, p95LatencyMs: 1200 }`,
    fail: `slo: { availability: 99.9, latency: { p95Ms: 1200, p99Ms: 2500 } }
monitoring:
  alerts: { burnRate: true, p95LatencyMs: 3000 }   # no errorRatePercent; looser than the SLO`,
  },
  messages: {
    noAlerts: 'monitoring has no alerts: nobody is paged when the error rate or latency climbs.',
    missing: 'monitoring.alerts has no {{field}}: nobody is paged when {{what}} climbs.',
    looser:
      'monitoring.alerts.p95LatencyMs {{alert}} ms is above slo.latency.p95Ms {{slo}} ms: the latency SLO is broken before the alert fires.',
  },
  check({ spec }) {
    const { monitoring } = spec;
    // Without a monitoring section, section-required reports the whole section once.
    if (!monitoring) return [];
    const slo = spec.slo.latency.p95Ms;
    const alerts = monitoring.alerts;
    if (!alerts) {
      return [
        {
          path: ['monitoring', 'alerts'],
          messageId: 'noAlerts',
          hint: `Add \`monitoring.alerts: { burnRate: true, errorRatePercent: 1, p95LatencyMs: ${num(slo)} }\`.`,
        },
      ];
    }
    const reports: RuleReport<'missing' | 'looser'>[] = [];
    const missing = (field: string, example: string): RuleReport<'missing'> => ({
      path: ['monitoring', 'alerts', field],
      messageId: 'missing',
      data: { field, what: field === 'errorRatePercent' ? 'the error rate' : 'p95 latency' },
      hint: `Add \`${field}: ${example}\` to monitoring.alerts.`,
    });
    if (alerts.errorRatePercent === undefined) reports.push(missing('errorRatePercent', '1'));
    if (alerts.p95LatencyMs === undefined) {
      reports.push(missing('p95LatencyMs', num(slo)));
    } else if (alerts.p95LatencyMs > slo) {
      reports.push(
        warn({
          path: ['monitoring', 'alerts', 'p95LatencyMs'],
          messageId: 'looser',
          data: { alert: num(alerts.p95LatencyMs), slo: num(slo) },
          hint: `Lower p95LatencyMs to ${num(slo)} or below.`,
        }),
      );
    }
    return reports;
  },
});
