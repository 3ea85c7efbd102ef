import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { writeOut } from '../cli/output.js';
import { jsonSafe } from '../text/printable.js';
import { UserError } from '../errors.js';
import { FORMAT_NAMES } from '../check/formatters/index.js';
import { SEVERITIES, type CheckResult } from '../check/types.js';

export default class Check extends BaseCommand {
  static override summary = 'Check specs the way a senior engineer reviews them: schema, budgets, failure modes, secrets.';
  static override description = `With no PATHS, checks the shipshape.yaml found from the working directory upward. PATHS may be files, folders (searched for shipshape.yaml and *.shipshape.yaml) and globs; many specs are checked in one call, on every core.

Rules know the stages: a spec is checked at the stage it has reached (the latest section it holds), or at --stage N, which asks for everything up to stage N. A policy file (--policy, or shipshape.policy.yaml found upward) sets severities, overrides by glob, required minimums and expiring exceptions. The rules are listed by \`shipshape rules\` and documented in docs/rules.md.

${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> check',
    '<%= config.bin %> check services/ --format sarif --output shipshape.sarif',
    "<%= config.bin %> check 'services/**/shipshape.yaml' --stage 6 --fail-severity warn",
    '<%= config.bin %> check --policy org/shipshape.policy.yaml --format github',
  ];
  static override strict = false;
  static override args = {
    paths: Args.string({ description: 'Spec files, folders or globs.', required: false }),
  };
  static override flags = {
    format: Flags.option({
      char: 'f',
      description: 'Output format.',
      options: FORMAT_NAMES,
      default: 'stylish' as const,
      env: 'SHIPSHAPE_FORMAT',
    })(),
    output: Flags.string({ char: 'o', description: 'Write the report to this file (atomically) instead of standard output.' }),
    force: Flags.boolean({
      description: 'With --output: replace an existing file that is not a previous report (never the spec or a generated file).',
      dependsOn: ['output'],
    }),
    'fail-severity': Flags.option({
      description: 'Fail (exit 1) on findings at or above this severity.',
      options: SEVERITIES,
      default: 'error' as const,
      env: 'SHIPSHAPE_FAIL_SEVERITY',
    })(),
    'max-warnings': Flags.integer({ description: 'Fail when there are more warnings than this.', min: 0 }),
    stage: Flags.integer({ description: 'Check everything up to this stage (1-8), whatever the spec has reached.', min: 1, max: 8 }),
    policy: Flags.string({
      description: 'The policy file to apply (default: shipshape.policy.yaml found upward).',
      env: 'SHIPSHAPE_POLICY',
    }),
    'no-policy': Flags.boolean({ description: 'Apply no policy file, even one found upward.', exclusive: ['policy'] }),
    jobs: Flags.integer({ description: 'Worker threads for many specs (default: one per extra core).', min: 0, hidden: true }),
  };

  async run(): Promise<CheckResult> {
    const { argv, flags, metadata } = await this.parse(Check);
    if (this.jsonEnabled() && flags.format !== 'json' && !metadata.flags['format']?.setFromDefault) {
      // --json prints the result object; a report format asked for alongside it would be silently dropped.
      const given = this.argv.some((arg) => /^(?:--format(?:=|$)|-f)/.test(arg));
      const source = given ? `--format ${flags.format}` : `SHIPSHAPE_FORMAT=${flags.format}`;
      throw new UserError(
        `--json prints the check result as JSON, and ${source} asks for the ${flags.format} report: one output at a time`,
        {
          hint: `Drop --json for the ${flags.format} report (add --output FILE to write it to a file), or drop ${given ? '--format' : 'SHIPSHAPE_FORMAT'} for JSON.`,
        },
      );
    }
    // The output side loads while the check runs: imports awaited one after another each cost a
    // round of file reads at start-up.
    const output = this.jsonEnabled()
      ? undefined
      : Promise.all([import('../check/formatters/index.js'), import('../ui/paint.js')]).then(async ([{ FORMATTERS }, { paintFor }]) => ({
          formatter: await FORMATTERS[flags.format](),
          paintFor,
        }));
    const { runCheck } = await import('../check/engine.js');
    const result = await runCheck({
      paths: argv as string[],
      cwd: process.cwd(),
      failSeverity: flags['fail-severity'],
      ...(flags['max-warnings'] === undefined ? {} : { maxWarnings: flags['max-warnings'] }),
      ...(flags.stage === undefined ? {} : { stage: flags.stage as 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 }),
      ...(flags.policy ? { policy: flags.policy } : {}),
      ...(flags['no-policy'] ? { noPolicy: true } : {}),
      ...(flags.jobs === undefined ? {} : { jobs: flags.jobs }),
    });
    process.exitCode = result.exitCode;
    if (!output) return result;

    const { formatter, paintFor } = await output;
    const paint = paintFor(flags.output ? undefined : process.stdout);
    const text = formatter(result, { paint, cwd: process.cwd(), version: this.config.version });
    if (flags.output) {
      const { guardOutputPath, CHECK_REPORT } = await import('../state/output-path.js');
      const inputs = result.results.map((file) => file.file);
      await guardOutputPath(flags.output, { cwd: process.cwd(), kind: CHECK_REPORT, force: flags.force, flag: '--output', inputs });
      const { writeFileAtomic } = await import('../fs/atomic.js');
      await writeFileAtomic(flags.output, text.endsWith('\n') ? text : `${text}\n`);
      this.note(`Wrote ${flags.output}`);
    } else {
      // JSON and SARIF escape as JSON does; the text formats through the terminal's escaper.
      const line = text.endsWith('\n') ? text : `${text}\n`;
      if (flags.format === 'json' || flags.format === 'sarif') process.stdout.write(jsonSafe(line));
      else writeOut(line);
    }
    return result;
  }
}
