/**
 * docs/runbook.md, rendered from the spec, the alerts and the project's records, for an engineer
 * who has never seen the service. Running `runbook` again rewrites it; what people wrote between
 * keep markers survives (the ADR's mechanism, src/design/adr.ts).
 */
import { architectureDiagram, KEEP_END, KEEP_START, mergeKeepBlocks } from '../design/adr.js';
import { rankFailureModes } from '../design/recommend.js';
import { markdownTable } from '../design/tables.js';
import type { FailureMode, FailureModeKind, Spec } from '../spec/schema.js';
import { day, type DeploymentRecord, type ValidationReport } from '../stages/records.js';
import { alertsOf, type Alert } from './alerts.js';
import { aggregationOf, describeAggregation, num, RECORDED, serviceQueries, type ServiceQueries } from './queries.js';
import { runbookBase } from './rules.js';
import { metricName } from './service-metrics.js';

export const RUNBOOK_FILE = 'docs/runbook.md';

/** What the project's records say, as read by the caller (absent when there is none). */
export interface RunbookRecords {
  validation?: { report: ValidationReport; date: Date };
  deployments?: DeploymentRecord[];
}

export interface RunbookInput {
  spec: Spec;
  specName: string;
  records: RunbookRecords;
  /** The runbook as it is on disk, if any: its keep blocks survive. */
  existing?: string;
}

/** The commands of the deploy driver: rollback, status, and scale where the driver can. */
export interface DriverCommands {
  driver: 'local' | 'kubernetes';
  abort?: string;
  rollback: string[];
  status: string[];
  scale?: string;
  logs: string;
}

export function driverCommands(spec: Spec): DriverCommands {
  const name = spec.metadata.name;
  const kubernetes = spec.deploy?.kubernetes;
  if (spec.deploy?.driver === 'kubernetes') {
    const ns = `-n ${kubernetes?.namespace ?? 'default'}`;
    const replicas = (kubernetes?.replicas ?? 2) * 2;
    if ((kubernetes?.rollouts ?? 'argo') === 'argo') {
      return {
        driver: 'kubernetes',
        abort: `kubectl argo rollouts abort ${name} ${ns}`,
        rollback: [`kubectl argo rollouts abort ${name} ${ns}`, `kubectl argo rollouts undo ${name} ${ns}`],
        status: [`kubectl argo rollouts status ${name} ${ns} --timeout 5m`, `kubectl argo rollouts get rollout ${name} ${ns}`],
        scale: `kubectl scale rollout/${name} ${ns} --replicas=${replicas}`,
        logs: `kubectl logs ${ns} -l app=${name} --since=30m`,
      };
    }
    return {
      driver: 'kubernetes',
      rollback: [`kubectl rollout undo deployment/${name} ${ns}`],
      status: [`kubectl rollout status deployment/${name} ${ns} --timeout 5m`],
      scale: `kubectl scale deployment/${name} ${ns} --replicas=${replicas}`,
      logs: `kubectl logs ${ns} -l app=${name} --since=30m`,
    };
  }
  return {
    driver: 'local',
    rollback: ['shipshape deploy rollback'],
    status: ['shipshape status', 'shipshape deploy --help'],
    logs: 'the service log (stdout of `npm start`, JSON lines)',
  };
}

const code = (text: string) => `\`${text}\``;
const shell = (lines: readonly string[]) => ['```sh', ...lines, '```'].join('\n');
const promql = (expr: string) => ['```promql', expr, '```'].join('\n');
const failureAnchor = (mode: FailureMode) => `failure-${mode.id}`;

interface Playbook {
  symptoms: string;
  mitigation: (commands: DriverCommands, spec: Spec) => string[];
  diagnosis: (q: ServiceQueries) => { what: string; expr: string }[];
  recovery: string;
}

const requestsBy = (q: ServiceQueries, by: string) => `sum by (${by}) (rate(${metricName('requests')}${q.selector()}[5m]))`;
const tierFailures = (q: ServiceQueries) => `sum by (tier, outcome) (rate(${metricName('tierCalls')}${q.selector()}[5m]))`;
const rollbackIfRecent = (commands: DriverCommands) => [
  'If a deployment finished in the last few hours, roll it back first and diagnose after:',
  shell(commands.rollback),
];

/** What to do per failure-mode kind; the commands come from the deploy driver. */
const PLAYBOOKS: Record<FailureModeKind, Playbook> = {
  'upstream-failure': {
    symptoms: 'Errors or degraded answers; a breaker opens; the fallback answers more requests.',
    mitigation: (commands) => [
      'The breaker and the fallback are doing their job while the model upstream is down: check that the fallback answers (FallbackRateHigh fires, availability holds). If availability falls too, the fallback is failing as well.',
      ...rollbackIfRecent(commands),
      "Otherwise contact the model provider (check its status page) and keep the breaker's protection: do not raise timeouts or retries during an outage.",
    ],
    diagnosis: (q) => [
      { what: 'Calls per tier and outcome', expr: tierFailures(q) },
      { what: 'Breaker state per tier (1 open)', expr: `max by (tier) (${metricName('breakerState')}${q.selector()})` },
    ],
    recovery: 'The breaker half-opens on its own and closes once calls succeed; nothing to reset by hand.',
  },
  'latency-spike': {
    symptoms: 'Slow answers; the latency SLO burns; timeouts turn into fallbacks or errors.',
    mitigation: (commands) => [
      'Check which tier is slow. The timeouts bound each call; if the slow tier is the strong one, the breaker will open on timeouts and the lower tier or the fallback answers.',
      ...rollbackIfRecent(commands),
      ...(commands.scale
        ? ['If the service itself is saturated (requests in flight near the bulkhead), add replicas:', shell([commands.scale])]
        : []),
    ],
    diagnosis: (q) => [
      { what: 'p95 latency (ms)', expr: q.p95Ms() },
      {
        what: 'p95 latency per tier (ms)',
        expr: `1000 * histogram_quantile(0.95, sum by (tier, le) (rate(${metricName('tierDuration')}_bucket${q.selector()}[5m])))`,
      },
      { what: 'Requests in flight', expr: `sum(${metricName('inFlight')}${q.selector()})` },
    ],
    recovery: 'Latency recovers with the upstream; the burn-rate alerts resolve when the short window is clean.',
  },
  'bad-output': {
    symptoms: 'Answers that fail validation go to the fallback; the business metric drops while errors stay low.',
    mitigation: (commands) => [
      ...rollbackIfRecent(commands),
      'If the model provider changed behaviour, pin the model version in the spec (models.tiers[].model) and deploy.',
    ],
    diagnosis: (q) => [
      { what: 'Fallbacks by reason', expr: `sum by (reason) (rate(${metricName('fallbacks')}${q.selector()}[15m]))` },
      {
        what: 'Right and wrong labels per tier (feedback)',
        expr: `sum by (tier, correct) (rate(${metricName('feedback')}${q.selector()}[1h]))`,
      },
      { what: 'The business metric', expr: q.businessValue() },
    ],
    recovery: 'Add a scenario for the output that broke (scenarios in the spec) so the next release is validated against it.',
  },
  'bad-deploy': {
    symptoms: 'Errors, latency or the business metric turn bad right after a deployment.',
    mitigation: (commands) => ['Roll back now; diagnose after:', shell(commands.rollback)],
    diagnosis: (q) => [
      { what: 'Requests by outcome', expr: requestsBy(q, 'outcome') },
      { what: 'Running versions', expr: `count by (version) (${metricName('info')}${q.selector()})` },
      { what: 'The business metric', expr: q.businessValue() },
    ],
    recovery: 'Fix forward in a new version, validated (`shipshape validate`) before it is deployed again.',
  },
  'data-drift': {
    symptoms: 'The inputs change (topics, languages, lengths); quality falls before any error shows.',
    mitigation: () => [
      'Nothing to roll back: the service is the same, the world changed. Confirm with the drift score which feature moved, and whether the business metric moved with it.',
      'If quality falls, escalate more to the strong tier (lower models.routing.escalateWhen.confidenceBelow) until the model is retuned.',
    ],
    diagnosis: (q) => [
      { what: 'Drift score per feature', expr: `${RECORDED.drift}${q.selector()}` },
      { what: 'Shares of each categorical value, last hour', expr: `${RECORDED.categoryShare}${q.selector()}` },
    ],
    recovery: "Retune or retrain on recent inputs, and update the spec's drift features if new ones matter.",
  },
  'cost-overrun': {
    symptoms: 'Spend per request above budget: more requests reach the expensive tier, or its price changed.',
    mitigation: () => [
      'Check the escalation rate against models.routing.expectedEscalationRate. A surge of long inputs escalates by length: raise models.routing.escalateWhen.inputCharsAbove if quality allows.',
    ],
    diagnosis: (q) => [
      { what: 'Cost per request (USD)', expr: q.costPerRequest() },
      { what: 'Escalations by reason', expr: `sum by (reason) (rate(${metricName('escalations')}${q.selector()}[1h]))` },
      { what: 'Spend per tier (USD/s)', expr: `sum by (tier) (rate(${metricName('cost')}${q.selector()}[1h]))` },
    ],
    recovery: 'Record the new escalation rate and price in the spec; `shipshape design` recomputes the cost model.',
  },
  'traffic-surge': {
    symptoms: 'More requests than planned; the bulkhead sheds load with fast 503s; latency climbs.',
    mitigation: (commands) => [
      ...(commands.scale ? ['Add replicas:', shell([commands.scale])] : ['Start more instances behind the load balancer.']),
      'Shedding is intended: it keeps the requests it takes fast. Do not raise the bulkhead limits to hide it.',
    ],
    diagnosis: (q) => [
      { what: 'Requests per second by outcome', expr: requestsBy(q, 'outcome') },
      { what: 'Requests in flight', expr: `sum(${metricName('inFlight')}${q.selector()})` },
    ],
    recovery: 'Update business.expectedLoad.peakRps and re-run `shipshape design` so the bulkhead and breaker follow.',
  },
};

/** The alerts that detect a failure mode, in the alerts' order. */
const detecting = (alerts: readonly Alert[], kind: FailureModeKind) => alerts.filter((alert) => alert.detects.includes(kind));

function alertSection(spec: Spec, alert: Alert, modes: readonly FailureMode[]): string {
  const related = modes.filter((mode) => alert.detects.includes(mode.kind));
  return [
    `### <a id="${alert.anchor}"></a>${alert.name}`,
    '',
    `**${alert.severity === 'page' ? 'Pages on-call' : 'Opens a ticket'}.** ${alert.meaning}`,
    '',
    `- Fires at: ${alert.threshold}${alert.for ? ` (for ${alert.for})` : ''}; from ${alert.from.map(code).join(', ')}.`,
    `- Reads: ${alert.metrics.map(code).join(', ')}${alert.by.length > 0 ? `, one alert per ${alert.by.map(code).join(', ')}` : ''}.`,
    `- What to do: ${
      related.length > 0
        ? related.map((mode) => `[${mode.id}](#${failureAnchor(mode)})`).join(', ')
        : 'no failure mode of the spec matches; start from [the rollback procedure](#rollback) if a deployment is recent'
    }.`,
    '',
    'The expression:',
    '',
    promql(alert.expr),
  ].join('\n');
}

function failureSection(spec: Spec, mode: FailureMode, alerts: readonly Alert[], commands: DriverCommands): string {
  const playbook = PLAYBOOKS[mode.kind];
  const detectedBy = detecting(alerts, mode.kind);
  const verify = detectedBy.length > 0 ? detectedBy.map((alert) => `[${alert.name}](#${alert.anchor})`).join(', ') : 'the dashboard';
  return [
    `### <a id="${failureAnchor(mode)}"></a>${mode.id} (${mode.kind})`,
    '',
    `${mode.description ?? ''} Likelihood ${mode.likelihood}, impact ${mode.impact}.`.trim(),
    '',
    `**Symptoms.** ${playbook.symptoms}`,
    '',
    `**Detection.** ${
      detectedBy.length > 0
        ? `Alerts ${detectedBy.map((alert) => `[${alert.name}](#${alert.anchor})`).join(', ')}`
        : 'No alert of this service detects it: watch the dashboard'
    }; metrics ${[...new Set(detectedBy.flatMap((alert) => alert.metrics))].map(code).join(', ') || code(metricName('requests'))}.`,
    '',
    '**Immediate mitigation.**',
    '',
    ...playbook.mitigation(commands, spec).flatMap((line) => [line, '']),
    '**Diagnosis.**',
    '',
    ...playbook.diagnosis(serviceQueries(spec)).flatMap((item) => [`${item.what}:`, '', promql(item.expr), '']),
    `Logs: ${commands.logs.startsWith('kubectl') ? code(commands.logs) : commands.logs}.`,
    '',
    `**Recovery.** ${playbook.recovery}`,
    '',
    `**Verification.** ${verify} resolved, and the SLO panels of the dashboard back under their thresholds:`,
    '',
    shell(commands.status),
  ].join('\n');
}

function sloTable(spec: Spec): string {
  const budget = serviceQueries(spec).budget;
  const windowDays = spec.slo.windowDays ?? 30;
  const minutes = budget.availability * windowDays * 24 * 60;
  const daily = spec.business.expectedLoad?.dailyRequests;
  const rows = [
    [
      'Availability',
      `${spec.slo.availability}% of requests without error`,
      `${windowDays} days`,
      `${num(budget.availability * 100)}% of requests: ${num(Math.round(minutes))} minutes of full outage${daily ? `, or ${num(Math.round(budget.availability * daily * windowDays))} failed requests at ${daily} a day` : ''}`,
    ],
    ['Latency', `95% of requests within ${spec.slo.latency.p95Ms} ms`, `${windowDays} days`, '5% of requests slower than that'],
    ['Latency (tail)', `p99 within ${spec.slo.latency.p99Ms} ms`, 'dashboard only', '—'],
  ];
  const costBudget = spec.business.budget;
  if (costBudget?.costPerRequestUsd !== undefined)
    rows.push(['Cost per request', `${num(costBudget.costPerRequestUsd)} USD`, '1 hour', '—']);
  if (costBudget?.monthlyUsd !== undefined) rows.push(['Monthly spend', `${num(costBudget.monthlyUsd)} USD`, 'month', '—']);
  return markdownTable({ columns: ['objective', 'target', 'window', 'error budget'], rows });
}

function recordsSection(records: RunbookRecords): string {
  const lines: string[] = [];
  const validation = records.validation;
  if (validation) {
    const scenarios = validation.report.scenarios ?? [];
    lines.push(
      `Validation (\`shipshape validate\`, ${day(validation.date)}): ${validation.report.passed ? 'passed' : 'FAILED'}${scenarios.length > 0 ? `, ${scenarios.filter((s) => s.passed).length} of ${scenarios.length} scenarios passed` : ''}.`,
      '',
    );
    if (scenarios.length > 0)
      lines.push(
        markdownTable({ columns: ['scenario', 'result'], rows: scenarios.map((s) => [s.id, s.passed ? 'passed' : 'failed']) }),
        '',
      );
  } else {
    lines.push('No validation report yet (`.shipshape/reports/validation.json`): run `shipshape validate`.', '');
  }
  const deployments = records.deployments ?? [];
  if (deployments.length > 0) {
    const latest = deployments.slice(-5).reverse();
    lines.push(
      'Deployments and rollback drills (`.shipshape/deployments.json`), latest first:',
      '',
      markdownTable({
        columns: ['started', 'finished', 'result', 'spec'],
        rows: latest.map((d) => [
          d.startedAt.slice(0, 16).replace('T', ' '),
          d.finishedAt?.slice(0, 16).replace('T', ' ') ?? '—',
          d.status,
          d.specHash.slice(0, 12),
        ]),
      }),
    );
    const drills = deployments.filter((d) => d.status === 'rolled-back');
    lines.push(
      '',
      drills.length > 0
        ? `Last rollback: ${drills.at(-1)!.startedAt.slice(0, 10)}.`
        : 'No rollback recorded yet: the rollback procedure has not been exercised.',
    );
  } else {
    lines.push(`No deployment recorded yet (\`.shipshape/deployments.json\`): run \`shipshape deploy\`.`);
  }
  return lines.join('\n');
}

function limitations(spec: Spec): string[] {
  const items: string[] = [];
  if (!aggregationOf(spec).declared)
    items.push(
      `The spec does not declare how ${code(spec.business.metric.name)} is aggregated (business.metric.aggregation): the rules take the mean. Declare it.`,
    );
  if (spec.monitoring?.drift)
    items.push(
      'Drift compares the last hour with the seven days before it: it says nothing in the first week after go-live. Categorical features are compared by ' +
        (spec.monitoring.drift.method === 'psi' ? 'the population stability index' : 'the largest change of a share') +
        '; numeric features by the largest gap between cumulative shares below each histogram bucket (a binned Kolmogorov-Smirnov statistic), whatever the method, because PromQL cannot difference cumulative buckets.',
    );
  else items.push('No drift monitoring (monitoring.drift): input drift is not detected.');
  items.push(
    `The latency SLO is on p95 (${spec.slo.latency.p95Ms} ms); p99 is on the dashboard only.`,
    'Rate-based alerts are silent when there is no traffic; an absent service is the scrape target health of Prometheus itself (up == 0), not alerted here.',
    'The default Node.js metrics of prom-client (nodejs_active_*_total gauges) fail `promtool check metrics` lint; the service metrics pass.',
  );
  if (!spec.handoff?.runbookUrl)
    items.push('The alerts link to docs/runbook.md by relative path: set handoff.runbookUrl to a URL people can open.');
  return items.map((item) => `- ${item}`);
}

export function renderRunbook(input: RunbookInput): string {
  const { spec, specName, records } = input;
  const q = serviceQueries(spec);
  const alerts = alertsOf(spec);
  const modes = rankFailureModes(spec.failureModes ?? []);
  const commands = driverCommands(spec);
  const metric = spec.business.metric;
  const handoff = spec.handoff;
  const lines = [
    `# Runbook: ${spec.metadata.name}`,
    '',
    `<!-- Written by \`shipshape runbook\` from ${specName}; running it again rewrites this file from the spec. Write your own notes between the shipshape:keep markers: they are kept. -->`,
    '',
    '## What it does',
    '',
    `${spec.metadata.description ?? spec.metadata.name} ${spec.business.problem}`.trim(),
    '',
    `It is judged by ${code(metric.name)}${metric.description ? ` (${metric.description.replace(/\.$/, '')})` : ''}: baseline ${num(metric.baseline)}, target ${num(metric.target)}, ${metric.direction} is better, measured as ${describeAggregation(spec)}. Exported as ${code(`${metricName('business')}{metric="${metric.name}"}`)}.`,
    '',
    '## Who owns it',
    '',
    markdownTable({
      columns: ['role', 'who'],
      rows: [
        ['Owner', spec.metadata.team ? `${spec.metadata.owner} (${spec.metadata.team})` : spec.metadata.owner],
        ['Service tier', `${spec.metadata.tier}${spec.metadata.tier === 1 ? ' (business critical: pages at night)' : ''}`],
        ['On-call', handoff?.oncall ?? 'not set (handoff.oncall)'],
        ['Escalation, in order', handoff?.escalation?.join(' → ') ?? 'not set (handoff.escalation)'],
        ['Review', spec.review ? `${spec.review.owner}, ${spec.review.afterDays ?? 30} days after go-live` : 'not set (review)'],
      ],
    }),
    '',
    KEEP_START,
    KEEP_END,
    '',
    '## SLOs and budgets',
    '',
    sloTable(spec),
    '',
    '## Architecture',
    '',
    '```mermaid',
    architectureDiagram(spec).trimEnd(),
    '```',
    '',
    `Rollouts: ${spec.deploy ? `${spec.deploy.strategy} with the ${spec.deploy.driver} driver${spec.deploy.rollback?.automatic ? ', automatic rollback on a failed analysis' : ''}` : 'not configured (deploy)'}. Dashboard: \`monitoring/grafana-dashboard.json\`; rules: \`monitoring/prometheus-rules.yaml\`.`,
    '',
    '## Alerts',
    '',
    markdownTable({
      columns: ['alert', 'severity', 'fires at', 'section'],
      rows: alerts.map((alert) => [alert.name, alert.severity, alert.threshold, `[${alert.anchor}](#${alert.anchor})`]),
    }),
    '',
    `Every alert carries ${code('runbook_url')} to its section below (${runbookBase(spec)}#...).`,
    '',
    ...alerts.flatMap((alert) => [alertSection(spec, alert, modes), '']),
    '## Failure modes',
    '',
    modes.length > 0 ? 'Highest risk first (likelihood × impact).' : 'The spec lists no failure modes (failureModes).',
    '',
    ...modes.flatMap((mode) => [failureSection(spec, mode, alerts, commands), '']),
    '## <a id="rollback"></a>Rollback procedure',
    '',
    commands.driver === 'local'
      ? 'The local driver keeps the previous version running until a rollout is promoted. To go back to it:'
      : `The ${spec.deploy?.kubernetes?.rollouts === 'service-switch' ? 'Deployment' : 'Argo Rollout'} ${code(spec.metadata.name)} in namespace ${code(spec.deploy?.kubernetes?.namespace ?? 'default')}. Abort a rollout in progress and go back to the stable version:`,
    '',
    shell(commands.rollback),
    '',
    'Then confirm the stable version serves all traffic and the alerts resolve:',
    '',
    shell(commands.status),
    '',
    promql(`sum by (outcome) (rate(${metricName('requests')}${q.selector()}[5m]))`),
    '',
    '## Latest validation and drills',
    '',
    recordsSection(records),
    '',
    '## Known limitations',
    '',
    ...limitations(spec),
    '',
    '## Useful queries',
    '',
    `Fallback share (%): ${code(q.fallbackPercent())}`,
    '',
    `Cost per request (USD): ${code(q.costPerRequest())}`,
    '',
    '## Notes',
    '',
    KEEP_START,
    KEEP_END,
    '',
  ];
  return mergeKeepBlocks(lines.join('\n'), input.existing);
}
