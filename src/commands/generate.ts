import * as Flags from '@oclif/core/flags';
import { specFlags } from '../cli/flags.js';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import type { GenerateReport } from '../scaffold/report.js';
import { CONFLICT_STYLES } from '../scaffold/types.js';

export default class Generate extends BaseCommand {
  static override summary = 'Stages 3 and 4: generate the project from a template pack, and re-generate it safely.';
  static override description = `Renders a template pack for shipshape.yaml in memory, plans every file (create, update, merge, conflict, unchanged, skip) against what is on disk and in .shipshape/manifest.json, then writes the plan atomically. Files a pack owns (managed) are never overwritten once edited by hand unless --force; seeded files are yours once written; merged files are merged three ways with git merge-file, conflicts inline or, with --conflict rej, in <file>.rej. Nothing is written outside the project.

A project stays on the pack and version that generated it; --upgrade moves it to a newer version. Packs from outside the bundled set run their tasks only with --trust.

${EXIT_CODES_HELP.replace('(check errors, a failed scenario, a rollback)', '(a file in conflict, a failed task)')}`;
  static override examples = [
    '<%= config.bin %> generate --dry-run',
    '<%= config.bin %> generate --template ./packs/service-go',
    '<%= config.bin %> generate --template npm:@acme/shipshape-pack@1.2.0 --trust',
    '<%= config.bin %> generate --upgrade --conflict rej',
  ];
  static override flags = {
    template: Flags.string({
      char: 't',
      description: "The pack: a bundled name, ./path or npm:<name>@<version> (default: the project's pack, else service-ts).",
      env: 'SHIPSHAPE_TEMPLATE',
    }),
    ...specFlags('to generate from'),
    'dry-run': Flags.boolean({ description: 'Show the plan and its diffs; write nothing.' }),
    force: Flags.boolean({ description: 'Overwrite managed files edited by hand, and files shipshape did not generate.' }),
    conflict: Flags.option({
      description: 'Where merge conflicts go: inline markers, or <file>.rej.',
      options: CONFLICT_STYLES,
      default: 'inline' as const,
    })(),
    trust: Flags.boolean({ description: 'Run the tasks of a pack from outside the bundled set.' }),
    upgrade: Flags.boolean({ description: 'Move the project to a newer version of its pack (three-way merge).' }),
    tasks: Flags.boolean({ description: "Run the pack's tasks after writing (--no-tasks skips them).", default: true, allowNo: true }),
  };

  async run(): Promise<GenerateReport> {
    const { flags } = await this.parse(Generate);
    const { runGenerate } = await import('../scaffold/run.js');
    const { generateReport, formatGenerate } = await import('../scaffold/report.js');
    const json = this.jsonEnabled();
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.on('SIGINT', onSigint);
    const result = await runGenerate({
      cwd: process.cwd(),
      ...(flags.template ? { template: flags.template } : {}),
      ...(flags.dir ? { dir: flags.dir } : {}),
      ...(flags.spec ? { spec: flags.spec } : {}),
      dryRun: flags['dry-run'],
      force: flags.force,
      conflict: flags.conflict,
      trust: flags.trust,
      upgrade: flags.upgrade,
      tasks: flags.tasks,
      version: this.config.version,
      signal: controller.signal,
      onTaskOutput: (chunk) => this.noteRaw(chunk),
    }).finally(() => process.off('SIGINT', onSigint));
    const report = generateReport(result);
    process.exitCode = report.exitCode;
    if (json) return report;
    const { paintFor } = await import('../ui/paint.js');
    const { out, notes } = formatGenerate(report, paintFor(process.stdout));
    this.out(out);
    for (const note of notes) this.note(note);
    return report;
  }
}
