import * as Flags from '@oclif/core/flags';
import { specFlags } from '../cli/flags.js';
import { promptBlocker } from '../cli/terminal.js';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { UserError } from '../errors.js';
import type { ReviewResult, SourceChoice } from '../review/run.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export default class Review extends BaseCommand {
  static override summary = 'Stage 8: the 30-day review: actuals against the targets, a decision, and the next backlog.';
  static override description = `Due review.afterDays (default 30) after the last promotion in .shipshape/deployments.json. Measures the business metric, each success criterion, SLO availability and latency, the error budget spent, cost and drift, from a Prometheus HTTP API (--prometheus), a snapshot file (--metrics) or, on a terminal, by asking. Writes docs/reviews/<date>-review.md: each target passed or failed, incidents and rollbacks from the history, a decision (keep, iterate, roll-back) by a documented rule, and the next iteration's backlog ranked by what the data says. Running it again rewrites the file and keeps what you wrote between <!-- shipshape:keep --> markers.

--complete records the decision and the backlog in .shipshape/reviews.json.

${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> review --prometheus http://localhost:9090',
    '<%= config.bin %> review --metrics review-metrics.yaml --date 2026-03-01 --complete',
    '<%= config.bin %> review --metrics review-metrics.yaml --dry-run --json',
  ];
  static override flags = {
    ...specFlags('to review'),
    prometheus: Flags.string({
      description: 'Read the actuals from the Prometheus HTTP API at this base URL.',
      exclusive: ['metrics'],
      env: 'SHIPSHAPE_PROMETHEUS_URL',
    }),
    metrics: Flags.string({ description: 'Read the actuals from a snapshot file (YAML or JSON).' }),
    timeout: Flags.integer({ description: 'Seconds to wait for each Prometheus query.', min: 1, default: 10 }),
    date: Flags.string({ description: 'The day of the review, YYYY-MM-DD (default: today, UTC).', aliases: ['as-of'] }),
    complete: Flags.boolean({ description: 'Record the decision and the backlog in .shipshape/reviews.json.' }),
    decision: Flags.string({ description: "Override the rule's decision.", options: ['keep', 'iterate', 'roll-back'] }),
    'dry-run': Flags.boolean({ description: 'Print the review and write nothing.' }),
  };

  async run(): Promise<ReviewResult> {
    const { flags } = await this.parse(Review);
    if (flags.date !== undefined && (!DATE.test(flags.date) || Number.isNaN(new Date(`${flags.date}T00:00:00Z`).getTime()))) {
      throw new UserError(`--date ${JSON.stringify(flags.date)} is not a date`, { hint: 'Give it as YYYY-MM-DD, e.g. --date 2026-03-01.' });
    }
    const noPrompt = promptBlocker();
    let source: SourceChoice;
    if (flags.prometheus) source = { kind: 'prometheus', url: flags.prometheus, timeoutMs: flags.timeout * 1000 };
    else if (flags.metrics) source = { kind: 'file', file: flags.metrics };
    else if (noPrompt === undefined) source = { kind: 'interactive', ask: (await import('../ui/review-prompts.js')).createNumberAsker() };
    else {
      throw new UserError(`review needs actuals, and it does not ask for them when ${noPrompt}`, {
        hint: 'Pass --prometheus URL (the Prometheus HTTP API) or --metrics FILE (a snapshot).',
      });
    }
    const { runReview } = await import('../review/run.js');
    const controller = new AbortController();
    const abort = () => controller.abort();
    process.once('SIGINT', abort);
    let result: ReviewResult;
    try {
      result = await runReview({
        cwd: process.cwd(),
        ...(flags.dir ? { dir: flags.dir } : {}),
        ...(flags.spec ? { spec: flags.spec } : {}),
        source,
        ...(flags.date ? { today: new Date(`${flags.date}T00:00:00Z`) } : {}),
        complete: flags.complete,
        ...(flags.decision ? { decision: flags.decision as 'keep' | 'iterate' | 'roll-back' } : {}),
        dryRun: flags['dry-run'],
        signal: controller.signal,
      });
    } finally {
      process.off('SIGINT', abort);
    }
    for (const note of result.notes) this.note(note);
    if (this.jsonEnabled()) return result;
    const { formatReview } = await import('../ui/review-format.js');
    if (result.dryRun) this.out(result.writes[0]!.content);
    else this.out(formatReview(result));
    return result;
  }
}
