import { PROMETHEUS_RULES_FILE as RULES_FILE, RUNBOOK_FILE } from '../../stages/handoff.js';
import type { RuleReport } from '../types.js';
import { defineRule } from './util.js';

export const handoffFresh = defineRule({
  id: 'handoff-fresh',
  description: 'docs/runbook.md and monitoring/prometheus-rules.yaml, once written, are newer than the spec.',
  defaultSeverity: 'warn',
  stage: 7,
  rationale:
    "The runbook and the alert rules are derived from the spec: its SLOs set the burn-rate thresholds, its failure modes the runbook sections, its budget the cost alert. Change the spec without running `shipshape runbook` and on-call is paged on yesterday's thresholds and reads yesterday's procedure. A project without these files yet is not reported: `status` says stage 7 is not started.",
  hint: 'Run `shipshape runbook` to write them again from the spec (what you wrote between keep markers in the runbook is kept).',
  examples: {
    pass: `# shipshape.yaml           modified 2026-11-20 10:00
# docs/runbook.md           written  2026-11-20 10:05 by shipshape runbook
# monitoring/prometheus-rules.yaml   written 2026-11-20 10:05`,
    fail: `# shipshape.yaml           modified 2026-11-21 09:00 (slo.availability 99.9 -> 99.95)
# docs/runbook.md           written  2026-11-20 10:05: older than the spec`,
  },
  messages: {
    older: 'The {{what}} {{file}} is older than the spec: it may not match its SLOs, alerts or failure modes',
  },
  check({ project }) {
    const specTime = project?.specMtimeMs?.();
    if (!project?.mtimeMs || specTime === undefined) return [];
    const reports: RuleReport<'older'>[] = [];
    for (const [what, file] of [
      ['runbook', RUNBOOK_FILE],
      ['Prometheus rules', RULES_FILE],
    ] as const) {
      const time = project.mtimeMs(file);
      // Written in the same instant as the spec counts as written from it (as status reads it).
      if (time === undefined || time >= specTime) continue;
      reports.push({
        path: [],
        file,
        messageId: 'older',
        data: { what, file },
      });
    }
    return reports;
  },
});
