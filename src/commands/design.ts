import * as Flags from '@oclif/core/flags';
import { promptBlocker } from '../cli/terminal.js';
import { specFlags } from '../cli/flags.js';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import type { DesignReport } from '../design/report.js';

export default class Design extends BaseCommand {
  static override summary = 'Stage 2: match patterns to the failure modes, fill in the later sections, and write the ADR.';
  static override description = `Ranks the failure modes of shipshape.yaml by risk (likelihood x impact), recommends the catalog patterns that mitigate each, and adds the ones you accept to architecture.patterns (patterns already there are kept as they are). Sections the spec does not have yet (resilience, scenarios, deploy, monitoring, handoff, review) get defaults derived from the SLO, the load and the failure modes; a value you set is never replaced, and comments are kept.

Prints the latency budget, the cost model and the availability of the composition, and writes docs/adr/0001-architecture.md with a Mermaid diagram (also docs/architecture.mmd) next to the spec. Running it again updates the ADR in place, keeping what you wrote between <!-- shipshape:keep --> markers.

On a terminal it asks which patterns to take; --yes takes them all. Without a terminal, or with CI=true, it needs --yes (or --dry-run, which shows the diff and writes nothing).

${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> design',
    '<%= config.bin %> design --dry-run',
    '<%= config.bin %> design --yes --spec services/triage/shipshape.yaml',
  ];
  static override flags = {
    ...specFlags('to design from'),
    yes: Flags.boolean({ char: 'y', description: 'Accept every recommendation without asking.' }),
    'dry-run': Flags.boolean({ description: 'Show the changes as a diff and write nothing.' }),
  };

  async run(): Promise<DesignReport> {
    const { flags } = await this.parse(Design);
    const { runDesign } = await import('../design/run.js');
    const { designReport, formatDesign } = await import('../design/report.js');
    const noPrompt = promptBlocker();
    const interactive = noPrompt === undefined;
    const choose =
      interactive && !flags.yes && !flags['dry-run'] ? (await import('../ui/design-prompts.js')).createDesignChooser() : undefined;
    const result = await runDesign({
      cwd: process.cwd(),
      ...(flags.dir ? { dir: flags.dir } : {}),
      ...(flags.spec ? { spec: flags.spec } : {}),
      yes: flags.yes,
      dryRun: flags['dry-run'],
      interactive,
      ...(noPrompt ? { noPrompt } : {}),
      ...(choose ? { choose } : {}),
    });
    const report = designReport(result);
    if (this.jsonEnabled()) return report;
    const { out, notes } = formatDesign(report);
    this.out(out);
    for (const note of notes) this.note(note);
    return report;
  }
}
