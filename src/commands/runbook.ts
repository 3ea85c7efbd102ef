import * as Flags from '@oclif/core/flags';
import { specFlags } from '../cli/flags.js';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';

export interface RunbookReport {
  dryRun: boolean;
  files: { path: string; kind: string; changed: boolean }[];
  alerts: { name: string; severity: string; anchor: string }[];
  written: string[];
  diff?: string;
  notes: string[];
}

export default class Runbook extends BaseCommand {
  static override summary = 'Stage 7: write the runbook, the Prometheus rules with their promtool tests, and the Grafana dashboard.';
  static override description = `Derives from shipshape.yaml, next to it: docs/runbook.md (what the service does, who owns it, SLOs and budgets, the architecture, every alert with its meaning, a section per failure mode with the exact commands of the deploy driver, the rollback procedure, the latest validation and deployments, known limitations); monitoring/prometheus-rules.yaml (SLI recording rules, multi-window multi-burn-rate SLO alerts, fallback, breaker, drift, cost and business-metric alerts, each with a runbook_url); monitoring/prometheus-rules.test.yaml (promtool unit tests of every alert); monitoring/grafana-dashboard.json.

Running it again rewrites them from the spec; what you wrote in the runbook between <!-- shipshape:keep --> markers is kept. A file there that runbook did not write is replaced only with --force.

${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> runbook', '<%= config.bin %> runbook --dry-run', '<%= config.bin %> runbook --json'];
  static override flags = {
    ...specFlags('to write the handoff from'),
    'dry-run': Flags.boolean({ description: 'Show the changes as a diff and write nothing.' }),
    force: Flags.boolean({ char: 'f', description: 'Replace files at those paths that runbook did not write.' }),
  };

  async run(): Promise<RunbookReport> {
    const { flags } = await this.parse(Runbook);
    const { runHandoff } = await import('../handoff/run.js');
    const result = await runHandoff({
      cwd: process.cwd(),
      ...(flags.dir ? { dir: flags.dir } : {}),
      ...(flags.spec ? { spec: flags.spec } : {}),
      dryRun: flags['dry-run'],
      force: flags.force,
    });
    const report: RunbookReport = {
      dryRun: result.dryRun,
      files: result.plan.files.map((file) => ({ path: file.path, kind: file.kind, changed: file.changed })),
      alerts: result.plan.alerts,
      written: result.written,
      ...(result.diff === undefined ? {} : { diff: result.diff }),
      notes: result.plan.notes,
    };
    if (this.jsonEnabled()) return report;
    if (result.dryRun) {
      this.out(result.diff ? `${result.diff}\n` : 'Nothing would change.\n');
    } else {
      for (const file of result.plan.files) this.out(`${file.changed ? 'wrote    ' : 'unchanged'} ${file.display}\n`);
      this.out(`${report.alerts.length} alerts, each with its runbook section.\n`);
    }
    for (const note of report.notes) this.note(note);
    return report;
  }
}
