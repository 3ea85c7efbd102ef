/**
 * How `deploy` shows a rollout: a listr2 task list on standard error (steps, each version's live
 * figures, each verdict), plain lines under CI or without a terminal, nothing under --json; and
 * the one-screen summaries of status, history and the drill.
 */
import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import type { RolloutEvent } from '../deploy/controller.js';
import type { ClusterStatus } from '../deploy/drivers/kubernetes/release.js';
import type { DeployResult, DeployStatus } from '../deploy/run.js';
import type { Deployment, VersionMetrics } from '../state/deployments.js';
import { paintFor } from './paint.js';
import { printable } from '../text/printable.js';

const figures = (m: VersionMetrics | undefined): string => {
  if (!m) return '-';
  const rate = m.requests > 0 ? `${Math.round((m.errors / m.requests) * 10000) / 100}% errors` : 'no requests';
  const p95 = m.p95LatencyMs === undefined ? '' : `, p95 ${m.p95LatencyMs} ms`;
  const business = Object.entries(m.business ?? {})
    .map(([k, v]) => `, ${k} ${v}`)
    .join('');
  return `${m.requests} req, ${rate}${p95}${business}`;
};

/** One line per event, for the plain renderer and the task list's output. */
export function describeEvent(event: RolloutEvent): string {
  switch (event.type) {
    case 'step':
      return `step ${event.index + 1}/${event.count}: ${event.weight}% of traffic to green`;
    case 'analysis': {
      const failed = event.analysis.checks.filter((c) => c.verdict !== 'pass').map((c) => `${c.metric}: ${c.detail ?? c.verdict}`);
      return `analysis ${event.analysis.verdict} (failures ${event.failures}/${event.failureLimit}) green ${figures(event.analysis.green)} | blue ${figures(event.analysis.blue)}${failed.length ? ` | ${failed.join('; ')}` : ''}`;
    }
    case 'step-done':
      return `step ${event.index + 1} ${event.verdict}`;
    case 'rolling-back':
      return `rolling back: ${event.reason}`;
    case 'paused': {
      const p = event.pause;
      const evidence = p.checks.map((c) => `${c.metric} ${c.value ?? '-'} (${c.verdict}${c.detail ? `: ${c.detail}` : ''})`).join('; ');
      return `paused (rollback.automatic: false): ${p.reason}\n  evidence: ${evidence || 'none'}\n  traffic held ${p.holdAt === 'blue' ? 'all on blue' : `at ${p.weight}% on green`}; decide with \`shipshape deploy promote\` or \`shipshape deploy rollback\``;
    }
    case 'promoting':
      return 'promoting green';
    case 'done':
      return `${event.status}${event.reason ? `: ${event.reason}` : ''}`;
  }
}

/**
 * Runs `work` inside a task list that follows its events. `work` gets the event sink; the list
 * shows one task per step as they start.
 */
export async function withRolloutView<T>(
  options: { json: boolean },
  work: (onEvent: (event: RolloutEvent) => void, log: (line: string) => void) => Promise<T>,
): Promise<T> {
  if (options.json)
    return work(
      () => {},
      () => {},
    );
  if (!process.stderr.isTTY || process.env['CI'] === 'true') {
    const line = (text: string) => process.stderr.write(`${printable(text, { colour: true })}\n`);
    return work((event) => line(describeEvent(event)), line);
  }
  let result: T | undefined;
  let output = (_line: string) => {};
  const tasks: ListrTask[] = [
    {
      title: 'Rollout',
      task: async (_ctx, task) => {
        output = (line) => {
          task.output = printable(line, { colour: true });
        };
        result = await work(
          (event) => {
            if (event.type === 'step') task.title = `Rollout: step ${event.index + 1}/${event.count}, ${event.weight}% on green`;
            if (event.type === 'done') task.title = `Rollout: ${event.status}`;
            output(describeEvent(event));
          },
          (line) => output(line),
        );
      },
      rendererOptions: { persistentOutput: true, outputBar: 8 },
    },
  ];
  // Standard error: standard output carries only the result.
  const logger = new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) });
  // Ctrl-C belongs to the rollout (it rolls back), not to listr2.
  await new Listr(tasks, {
    renderer: 'default',
    rendererOptions: { logger },
    // listr2 judges the terminal by standard output; with it redirected, its plain renderer runs, on standard error too.
    fallbackRenderer: 'simple',
    fallbackRendererOptions: { logger },
    registerSignalListeners: false,
    exitOnError: true,
  }).run();
  return result as T;
}

const when = (iso: string | undefined) => (iso ? iso.replace('T', ' ').slice(0, 19) : '-');

/** The summary of one deployment, for stdout. */
export function formatDeployment(result: DeployResult): string {
  const paint = paintFor(process.stdout);
  const r = result.record;
  const colour = r.status === 'promoted' ? paint.green : r.status === 'rolled-back' ? paint.yellow : paint.red;
  const lines = [
    `${colour(r.status)} ${r.version ?? '?'}${r.previousVersion ? ` (blue: ${r.previousVersion})` : ''}${r.reason ? `: ${r.reason}` : ''}`,
  ];
  if (r.skippedValidation) lines.push(paint.dim('deployed with --skip-validation: no passing validation report'));
  if (result.drill) {
    const d = result.drill;
    lines.push(
      `drill ${d.passed ? paint.green('passed') : paint.red('failed')}: the automatic rollback ${d.passed ? 'fired' : 'did not fire'}`,
      `  first bad request to detection: ${d.secondsToDetection ?? '-'} s; to all traffic on blue: ${d.secondsToBlue ?? '-'} s`,
      `  failed requests meanwhile: ${d.failedRequests} of ${d.totalRequests}`,
    );
  }
  if (result.load) lines.push(paint.dim(`load: ${result.load.sent} requests, ${result.load.failed} failed`));
  return `${lines.join('\n')}\n`;
}

export function formatHistory(records: readonly Deployment[]): string {
  if (records.length === 0) return 'No deployment yet.\n';
  const rows = records.map((r) => {
    const kind = r.drill ? 'drill' : (r.kind ?? 'rollout');
    return `${when(r.startedAt)}  ${(r.version ?? '?').padEnd(20)} ${kind.padEnd(8)} ${r.status.padEnd(12)} ${r.reason ?? ''}`.trimEnd();
  });
  return `${rows.join('\n')}\n`;
}

export function formatStatus(status: DeployStatus): string {
  const lines: string[] = [];
  for (const r of status.recovered) lines.push(`recovered: ${r.message}`);
  if (status.running) lines.push(`a deploy is running: pid ${status.running.pid} since ${when(status.running.startedAt)}`);
  lines.push(
    status.serving ? `serving: ${status.serving.version} (since ${when(status.serving.finishedAt)})` : 'serving: nothing promoted yet',
  );
  const service = status.service;
  if (service) {
    lines.push(
      `local service: ${service.url} (supervisor pid ${service.pid}): ${service.live ? `${service.live.version} live` : 'nothing live'}${service.green ? `, ${service.green.version} at ${service.weight}%` : ''}`,
    );
    const restarts = service.live?.restarts;
    if (restarts?.gaveUp)
      lines.push(
        `  ${service.live!.version} is DOWN: it died again after ${restarts.count} restarts (${restarts.lastExit}); see .shipshape/local/supervisor.log, then deploy a fix or \`shipshape deploy rollback\``,
      );
    else if (restarts)
      lines.push(
        `  ${service.live!.version} was restarted ${restarts.count === 1 ? 'once' : `${restarts.count} times`}, last at ${when(restarts.lastAt)}: ${restarts.lastExit}`,
      );
    if (service.warm) lines.push(`  ${service.warm.version} kept warm for a rollback until ${when(service.warm.until)}`);
  } else if (status.serving && status.serving.driver !== 'kubernetes') lines.push('local service: not running');
  if (status.last?.paused && status.last.status === 'in-progress')
    lines.push(`paused: ${status.last.paused.reason}; decide with \`shipshape deploy promote\` or \`shipshape deploy rollback\``);
  if (status.last && status.last !== status.serving)
    lines.push(`last: ${status.last.version ?? '?'} ${status.last.status}${status.last.reason ? `: ${status.last.reason}` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** The Kubernetes driver's live view of the cluster, after the history's lines. */
export function formatClusterStatus(cluster: ClusterStatus): string {
  const where = `namespace ${cluster.namespace}`;
  if (cluster.mode === 'service-switch')
    return `cluster: ${cluster.liveSlot ? `the Service selects ${cluster.liveSlot}` : 'no Service yet'} (${where})\n`;
  const r = cluster.rollout;
  if (!r) return `cluster: no Rollout yet (${where})\n`;
  return `cluster: rollout ${r.name} ${r.phase}${r.step ? ` at step ${r.step}` : ''}, ${r.status}${r.reason ? `: ${r.reason}` : r.message ? `: ${r.message}` : ''} (${where})\n`;
}
