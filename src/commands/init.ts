import * as Flags from '@oclif/core/flags';
import { promptBlocker } from '../cli/terminal.js';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { flagOf, QUESTIONS, SCALAR_KEYS, type Question, type ScalarKey } from '../init/questions.js';
import type { IterateResult } from '../init/iterate.js';
import type { ExampleInfo, InitResult } from '../init/run.js';

// One flag per question, from the same list as the prompts, so none can be forgotten.
const answerFlags = Object.fromEntries(
  SCALAR_KEYS.map((key) => {
    const question: Question = QUESTIONS[key];
    const list = key === 'failureModeKinds' ? ' (comma-separated, or none)' : '';
    const options = question.options ? ` One of: ${question.options.join(', ')}${list}.` : '';
    return [flagOf(key), Flags.string({ description: `${question.message}.${options}`, helpGroup: 'ANSWER' })];
  }),
);

export default class Init extends BaseCommand {
  static override summary = 'Stage 1: turn a business requirement into shipshape.yaml.';
  static override description = `Asks for the business problem and metric, success criteria, SLOs, budget, expected load, model tiers and failure modes, shows a summary, and writes shipshape.yaml (with comments on each section) and the JSON Schema its first line points editors at.

Every question has a flag. An answer comes from its flag, then the --answers file, then its default under --yes, and only then from a prompt. Without a terminal, or with CI=true, init never prompts: it lists the missing answers and exits 2.

${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init --yes --name support-triage --owner me@example.com --problem "Tickets wait hours for routing."',
    '<%= config.bin %> init --answers answers.yaml --dir services/triage',
    '<%= config.bin %> init --list-examples',
    '<%= config.bin %> init --from support-triage',
    '<%= config.bin %> init --from support-triage --name billing-triage --owner me@example.com --dir services/billing',
  ];
  static override flags = {
    dir: Flags.string({ char: 'd', description: 'The folder to write shipshape.yaml in (default: the working directory).' }),
    force: Flags.boolean({ char: 'f', description: 'Overwrite an existing shipshape.yaml.' }),
    yes: Flags.boolean({ char: 'y', description: 'Take the default of every answer not given.' }),
    answers: Flags.string({
      description:
        "A YAML or JSON file of answers, under the flag names in camelCase (p95Ms: 1200), in the flag's shape too (failureModes: upstream-failure,bad-output); failureModes may also be a list of { kind, id, description, likelihood, impact }, with successCriteria and tiers lists as in the spec.",
    }),
    from: Flags.string({
      description: 'Start from a bundled example (see --list-examples); answer flags given with it replace its values.',
      exclusive: ['answers', 'yes'],
    }),
    'list-examples': Flags.boolean({
      description: 'List the bundled examples --from takes, with what each is; write nothing.',
      exclusive: ['from', 'answers', 'iterate'],
    }),
    iterate: Flags.boolean({
      description:
        'Start the next iteration of the existing spec from the last completed review (.shipshape/reviews.json): the baseline becomes the measured actual, the backlog becomes review.iteration.focus.',
      exclusive: ['answers', 'yes', 'from', 'force'],
    }),
    'dry-run': Flags.boolean({ description: 'With --iterate: print the diff and write nothing.', dependsOn: ['iterate'] }),
    ...answerFlags,
  };

  async run(): Promise<{ file: string; spec: InitResult['spec'] } | { written: false } | IterateResult | { examples: ExampleInfo[] }> {
    const { flags } = await this.parse(Init);
    if (flags['list-examples']) {
      const { listExamples } = await import('../init/run.js');
      const examples = await listExamples(this.config.root);
      if (!this.jsonEnabled()) {
        const width = Math.max(0, ...examples.map((example) => example.name.length));
        for (const { name, description } of examples) this.out(`${name.padEnd(width)}  ${description}\n`);
        this.note('Start from one with `shipshape init --from NAME`; answer flags given with it replace its values.');
      }
      return { examples };
    }
    if (flags.iterate) return this.iterate(flags.dir, flags['dry-run']);
    const { runInit } = await import('../init/run.js');
    const raw = flags as Record<string, unknown>;
    const answers = Object.fromEntries(
      SCALAR_KEYS.filter((key) => typeof raw[flagOf(key)] === 'string').map((key) => [key, raw[flagOf(key)] as string]),
    ) as Partial<Record<ScalarKey, string>>;
    const noPrompt = promptBlocker();
    const interactive = noPrompt === undefined;
    const prompter = interactive ? (await import('../ui/prompts.js')).createPrompter() : undefined;
    const result = await runInit({
      dir: flags.dir ?? '.',
      cwd: process.cwd(),
      force: flags.force,
      yes: flags.yes,
      interactive,
      ...(prompter ? { prompter } : {}),
      flags: answers,
      ...(flags.answers ? { answers: flags.answers } : {}),
      ...(flags.from ? { from: flags.from } : {}),
      packageRoot: this.config.root,
      ...(noPrompt ? { noPrompt } : {}),
    });
    if (!result.written) {
      this.note('Nothing was written.');
      return { written: false };
    }
    this.note(`Wrote ${result.file}\nNext: \`shipshape check\` reviews it; \`shipshape design\` takes it to stage 2.`);
    return { file: result.file, spec: result.spec };
  }

  private async iterate(dir: string | undefined, dryRun: boolean): Promise<IterateResult> {
    const { runIterate } = await import('../init/iterate.js');
    const result = await runIterate({ cwd: process.cwd(), ...(dir ? { dir } : {}), dryRun });
    if (this.jsonEnabled()) return result;
    if (dryRun) this.out(result.diff);
    this.note(
      `Iteration ${String((result.edits.at(-1)?.value as { number?: number } | undefined)?.number ?? '?')} from the review of ${result.review.date}: ${result.baseline}.`,
    );
    this.note(
      result.written
        ? `Wrote ${result.display}\nNext: \`shipshape design\` and \`shipshape generate\` carry it through.`
        : 'Nothing was written.',
    );
    return result;
  }
}
