import * as Flags from '@oclif/core/flags';
import { specFlags } from '../cli/flags.js';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import type { ValidationReport } from '../state/validation-report.js';

export default class Validate extends BaseCommand {
  static override summary = "Stage 5: run the spec's failure scenarios against the running service, with injected faults and load.";
  static override description = `Starts the service (the pack's start command, or --start), points each http tier's \${VAR} endpoint at a fault-injecting proxy with a mock model (or --upstream) behind it, then for each scenario drives load at its rps for its duration, injects its fault, watches /metrics, and judges its expectations. Writes .shipshape/reports/validation.json and a dated copy beside it; stage 5 is done when every scenario passed at full duration.

${EXIT_CODES_HELP.replace('(check errors, a failed scenario, a rollback)', '(an expectation failed)').replace('missing answers)', 'missing answers, a service that does not start)')}`;
  static override examples = [
    '<%= config.bin %> validate',
    '<%= config.bin %> validate --scenario llm-outage --duration-scale 0.2',
    '<%= config.bin %> validate --upstream strong=http://127.0.0.1:8099/v1 --junit reports/validation.xml',
    '<%= config.bin %> validate --start "node dist/main.js" --baseline',
  ];
  static override flags = {
    ...specFlags('to validate'),
    scenario: Flags.string({ description: 'Run only the scenario with this id (recorded, but does not complete stage 5).' }),
    'duration-scale': Flags.string({
      description: 'Shorten every scenario by this factor, 0 to 1 (recorded, but does not complete stage 5).',
    }),
    baseline: Flags.boolean({ description: 'Run each scenario without its fault first, and show both.' }),
    start: Flags.string({
      description: "The command that starts the service (instead of the pack's); it gets PORT, HOST and each tier's endpoint variable.",
      exclusive: ['url'],
    }),
    url: Flags.string({
      description: 'A service already running, e.g. http://127.0.0.1:8080 (load-only scenarios: its tiers cannot be pointed at the proxy).',
    }),
    upstream: Flags.string({
      description: 'NAME=URL: the real upstream behind the proxy of tier NAME (default: the mock model).',
      multiple: true,
    }),
    'mock-latency-ms': Flags.integer({ description: 'Latency of each mock model answer.', default: 20, min: 0 }),
    path: Flags.string({ description: 'The path load is POSTed to.', default: '/v1/predict' }),
    'start-timeout': Flags.integer({ description: 'Seconds to wait for the service to answer HTTP.', default: 60, min: 1 }),
    junit: Flags.string({ description: 'Also write the results as JUnit XML to this file.' }),
    force: Flags.boolean({
      description: 'With --junit: replace an existing file that is not a previous JUnit report (never the spec or a generated file).',
      dependsOn: ['junit'],
    }),
    verbose: Flags.boolean({ description: 'Plain progress lines, even on a terminal.' }),
  };

  async run(): Promise<ValidationReport> {
    const { flags } = await this.parse(Validate);
    const { runValidate } = await import('../validate/run.js');
    const { parseUpstreams } = await import('../validate/plan.js');
    const { scenarioProgress, formatValidation } = await import('../ui/validate-view.js');
    const json = this.jsonEnabled();
    if (flags.junit) {
      // Before the run, which takes minutes: a bad output path fails at once.
      const { guardOutputPath, JUNIT_REPORT } = await import('../state/output-path.js');
      await guardOutputPath(flags.junit, { cwd: process.cwd(), kind: JUNIT_REPORT, force: flags.force, flag: '--junit' });
    }
    const scale = flags['duration-scale'] === undefined ? undefined : Number(flags['duration-scale']);
    const progress = scenarioProgress({ json, verbose: flags.verbose });
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    let result;
    try {
      result = await runValidate({
        cwd: process.cwd(),
        ...(flags.dir ? { dir: flags.dir } : {}),
        ...(flags.spec ? { spec: flags.spec } : {}),
        ...(flags.scenario ? { scenario: flags.scenario } : {}),
        ...(scale === undefined ? {} : { durationScale: scale }),
        ...(flags.start ? { start: flags.start } : {}),
        ...(flags.url ? { url: flags.url } : {}),
        upstreams: parseUpstreams(flags.upstream ?? []),
        baseline: flags.baseline,
        mockLatencyMs: flags['mock-latency-ms'],
        path: flags.path,
        startTimeoutMs: flags['start-timeout'] * 1000,
        signal: controller.signal,
        onEvent: progress.onEvent,
      });
    } catch (error) {
      await progress.finish(error);
      throw error;
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    }
    await progress.finish();
    const { report, written } = result;
    if (flags.junit) {
      const { writeJunit } = await import('../validate/junit.js');
      written.push(await writeJunit(report, flags.junit, process.cwd()));
    }
    process.exitCode = report.passed ? 0 : 1;
    if (json) return report;
    const { paintFor } = await import('../ui/paint.js');
    this.out(formatValidation(report, written, paintFor(process.stdout)));
    return report;
  }
}
