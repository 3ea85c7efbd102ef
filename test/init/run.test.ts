import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMA_LINE } from '../../src/init/build.js';
import { listExamples, runInit, planInit } from '../../src/init/run.js';
import { jsonSchema } from '../../src/spec/json-schema.js';
import { loadSpecText } from '../../src/spec/load.js';
import { PROBLEM_PLACEHOLDER } from '../../src/spec/placeholder.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';
import { rejection } from '../helpers/errors.js';
import { options, written, STAGE_ONE_FLAGS, TIERED_FLAGS } from './answers.js';

/** Every required answer of the default (tiered) path, as flags. */
const FLAGS = {
  ...STAGE_ONE_FLAGS,
  problem: 'Tickets wait hours for manual routing.',
  ...TIERED_FLAGS,
  failureModeKinds: 'upstream-failure,latency-spike',
} as const;

describe('init without a terminal', () => {
  it('writes the spec from flags alone: valid, commented, with its schema', async () => {
    const dir = tempDir();
    const result = await runInit(options(dir, { flags: FLAGS }));
    expect(result).toMatchObject({ file: join(dir, 'shipshape.yaml'), written: true });
    const { text, spec } = written(dir);
    expect(text.split('\n')[0]).toBe(SCHEMA_LINE);
    expect(text).toMatch(/^business: # stage 1: why this exists/m);
    expect(text).toMatch(/^ {2}tier: 1 # 1 business critical/m);
    expect(text).toMatch(/endpoint: \$\{TRIAGE_LLM_URL\} # an environment reference; secrets never go in the spec/);
    expect(text).toMatch(/escalateWhen: \{ confidenceBelow: 0.75 \}/);
    expect(spec).toEqual(result.spec);
    expect(spec.metadata).toEqual({ name: 'support-triage', owner: 'lead@example.com', tier: 1 });
    expect(spec.business.successCriteria).toEqual([
      {
        id: 'median-first-response-minutes',
        description: 'median_first_response_minutes at or below its target of 60.',
        metric: 'median_first_response_minutes',
        max: 60,
      },
    ]);
    expect(spec.models?.tiers.map((t) => [t.name, t.kind, t.timeoutMs, t.costPerRequestUsd])).toEqual([
      ['fast', 'local', 50, 0],
      ['strong', 'http', 900, 0.004],
    ]);
    expect(spec.failureModes?.map((m) => [m.id, m.kind, m.likelihood, m.impact])).toEqual([
      ['upstream-failure', 'upstream-failure', 'medium', 'high'],
      ['latency-spike', 'latency-spike', 'high', 'medium'],
    ]);
    const schema = JSON.parse(readFileSync(join(dir, '.shipshape', 'shipshape.schema.json'), 'utf8'));
    expect(schema).toEqual(jsonSchema());
  });

  it('keeps the key order of the reference example', async () => {
    const dir = tempDir();
    const { spec } = await runInit(options(dir, { flags: FLAGS }));
    const reference = loadSpecText('example.yaml', readFileSync(EXAMPLE, 'utf8')).spec!;
    const order = (ours: object, theirs: object) => {
      const known = Object.keys(theirs);
      const keys = Object.keys(ours);
      expect(keys.every((k) => known.includes(k))).toBe(true);
      expect(keys).toEqual([...keys].sort((a, b) => known.indexOf(a) - known.indexOf(b)));
    };
    order(spec, reference);
    order(spec.metadata, reference.metadata);
    order(spec.business, reference.business);
    order(spec.business.metric, reference.business.metric);
    order(spec.slo, reference.slo);
    order(spec.models!, reference.models!);
    order(spec.models!.tiers[1]!, reference.models!.tiers[1]!);
    order(spec.models!.routing!, reference.models!.routing!);
    order(spec.failureModes![0]!, reference.failureModes![0]!);
  });

  it('lists every missing answer as a flag and exits 2', async () => {
    const dir = tempDir();
    const error = await rejection(runInit(options(dir)));
    expect(error.exitCode).toBe(2);
    const flags = error.message.match(/--[a-z0-9-]+/g);
    expect(flags).toEqual([
      '--name',
      '--owner',
      '--tier',
      '--problem',
      '--metric',
      '--baseline',
      '--target',
      '--direction',
      '--availability',
      '--window-days',
      '--p95-ms',
      '--p99-ms',
      '--peak-rps',
      '--daily-requests',
      '--models',
      '--fast-model',
      '--fast-timeout-ms',
      '--fast-cost',
      '--strong-model',
      '--endpoint',
      '--strong-timeout-ms',
      '--strong-cost',
      '--confidence-below',
      '--escalation-rate',
      '--cost-per-request',
      '--monthly-budget',
      '--failure-modes',
    ]);
    expect(error.hint).toMatch(/--yes/);
    expect(existsSync(join(dir, 'shipshape.yaml'))).toBe(false);

    // Answers that are given, and the ones they rule out, are not missing.
    const some = await rejection(runInit(options(dir, { flags: { ...FLAGS, models: 'none', owner: undefined, problem: undefined } })));
    expect(some.message.match(/--[a-z0-9-]+/g)).toEqual(['--owner', '--problem']);
  });

  it('takes the defaults under --yes, and a spec from them passes', async () => {
    const dir = join(tempDir(), 'Ticket Router');
    const { spec } = await runInit(options(dir, { yes: true, cwd: join(dir, '..'), dir: 'Ticket Router' }));
    expect(written(dir).spec).toEqual(spec);
    // Nobody can guess the owner: a placeholder that check flags, never the account running init.
    expect(spec.metadata).toEqual({ name: 'ticket-router', owner: '<owner>', tier: 2 });
    expect(spec.business.problem).toBe(PROBLEM_PLACEHOLDER);
    expect(spec.slo.availability).toBe(99.5);
    // The derived budget covers what the tiers are expected to cost, with headroom.
    const expected = 0.004 * spec.models!.routing!.expectedEscalationRate!;
    expect(spec.business.budget!.costPerRequestUsd).toBeGreaterThanOrEqual(expected);
    expect(spec.business.budget!.monthlyUsd).toBeGreaterThanOrEqual(
      spec.business.budget!.costPerRequestUsd! * spec.business.expectedLoad!.dailyRequests * 30,
    );
  });

  it('derives from the answers given: direction from baseline and target, availability from the tier', async () => {
    const dir = tempDir();
    const { spec } = await runInit(options(dir, { yes: true, flags: { baseline: '240', target: '60', tier: '3' } }));
    expect(spec.business.metric.direction).toBe('decrease');
    expect(spec.business.successCriteria?.[0]).toMatchObject({ max: 60 });
    expect(spec.slo.availability).toBe(99);
  });

  it('asks for an answer with no default even under --yes', async () => {
    const dir = tempDir();
    const error = await rejection(runInit(options(dir, { yes: true, flags: { baseline: '240' } })));
    expect(error.message.match(/--[a-z0-9-]+/g)).toEqual(['--target']);
    expect(error.hint).toMatch(/no default/);
  });

  it('rejects flag values with the schema message', async () => {
    const dir = tempDir();
    const error = await rejection(runInit(options(dir, { yes: true, flags: { availability: '100', name: 'Bad Name', p95Ms: 'fast' } })));
    expect(error.message).toContain('--availability must be a percentage below 100, e.g. 99.9 (100 leaves no error budget)');
    expect(error.message).toContain('--name must be an id');
    expect(error.message).toContain('--p95-ms must be a positive number');
    const kinds = await rejection(runInit(options(dir, { yes: true, flags: { failureModeKinds: 'upstream-failure,meteor' } })));
    expect(kinds.message).toMatch(/--failure-modes must be one of upstream-failure, .* \(1\)/);
  });

  it('takes options that leave sections out: no models, no failure modes, optional answers empty', async () => {
    const dir = tempDir();
    const { spec } = await runInit(options(dir, { yes: true, flags: { models: 'none', failureModeKinds: 'none', team: '' } }));
    expect(spec.models).toBeUndefined();
    expect(spec.failureModes).toBeUndefined();
    expect(spec.metadata.team).toBeUndefined();
    const single = await planInit(options(tempDir(), { yes: true, flags: { models: 'single' } }));
    expect(single.spec.models).toEqual({
      tiers: [{ name: 'main', kind: 'http', endpoint: '${LLM_URL}', model: 'gpt-4o-mini', timeoutMs: 900, costPerRequestUsd: 0.004 }],
      routing: { strategy: 'single' },
    });
    expect(single.spec.business.budget?.costPerRequestUsd).toBe(0.005);
  });
});

describe('init --answers', () => {
  const yaml = `# answers for init
name: support-triage
owner: lead@example.com
tier: 1
problem: Tickets wait hours for manual routing.
metric: median_first_response_minutes
baseline: 240
target: 60
successCriteria:
  - { id: routing-accuracy, metric: routing_accuracy, min: 0.9 }
tiers:
  - { name: router, kind: local, model: keyword-router-v1, timeoutMs: 40, costPerRequestUsd: 0 }
  - { name: llm, kind: http, endpoint: '\${LLM_URL}', model: gpt-4o-mini, timeoutMs: 800, costPerRequestUsd: 0.004 }
escalationRate: 0.25
failureModes:
  - { kind: upstream-failure, id: llm-outage }
  - { kind: bad-deploy, impact: low }
`;

  it('reads YAML, with flags taking precedence over the file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'answers.yaml'), yaml);
    const { spec } = await runInit(options(dir, { answers: 'answers.yaml', yes: true, flags: { owner: 'flag@example.com' } }));
    expect(written(dir).spec).toEqual(spec);
    expect(spec.metadata.owner).toBe('flag@example.com');
    expect(spec.business.successCriteria).toEqual([{ id: 'routing-accuracy', metric: 'routing_accuracy', min: 0.9 }]);
    expect(spec.models?.tiers.map((t) => t.name)).toEqual(['router', 'llm']);
    expect(spec.models?.routing).toEqual({ strategy: 'cascade', escalateWhen: { confidenceBelow: 0.75 }, expectedEscalationRate: 0.25 });
    expect(spec.failureModes).toEqual([
      { id: 'llm-outage', kind: 'upstream-failure', description: expect.any(String), likelihood: 'medium', impact: 'high' },
      { id: 'bad-deploy', kind: 'bad-deploy', description: expect.any(String), likelihood: 'medium', impact: 'low' },
    ]);
  });

  it("takes the flags' shape too: failure modes as --failure-modes takes them, numbers as text, none", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'answers.yaml'),
      `name: support-triage\nowner: lead@example.com\ntier: "1"\nproblem: Tickets wait.\np95Ms: "900"\nteam: none\nmodels: single\napiKey: \${TRIAGE_KEY}\nfailureModes: upstream-failure,bad-output\n`,
    );
    const { spec } = await runInit(options(dir, { answers: 'answers.yaml', yes: true }));
    expect([spec.metadata.tier, spec.slo.latency.p95Ms, spec.metadata.team]).toEqual([1, 900, undefined]);
    expect(spec.models?.tiers[0]?.apiKey).toBe('${TRIAGE_KEY}');
    expect(spec.failureModes?.map((m) => [m.id, m.kind, m.likelihood])).toEqual([
      ['upstream-failure', 'upstream-failure', 'medium'],
      ['bad-output', 'bad-output', 'medium'],
    ]);
    // A list of kinds, and a failure mode's every detail, each under its key.
    writeFileSync(
      join(dir, 'answers.yaml'),
      `failureModes:\n  - latency-spike\n  - { kind: bad-output, id: junk, description: The model answers in prose., likelihood: high, impact: low }\n`,
    );
    const listed = await planInit(options(dir, { answers: 'answers.yaml', yes: true, force: true }));
    expect(listed.spec.failureModes).toEqual([
      expect.objectContaining({ id: 'latency-spike', kind: 'latency-spike' }),
      { id: 'junk', kind: 'bad-output', description: 'The model answers in prose.', likelihood: 'high', impact: 'low' },
    ]);
  });

  it('refuses a bad answer at its place, with a hint that shows the shape that works', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'answers.yaml'), 'name: x\nfailureModes: upstream-failure,outage\n');
    const error = await rejection(runInit(options(dir, { answers: 'answers.yaml', yes: true })));
    expect(error.message).toMatch(/failureModes lists "outage", not a failure mode kind \(one of upstream-failure, /);
    expect(error.hint).toContain(
      'failureModes (as the flag takes them, upstream-failure,bad-output, or a list of { kind, id, description, likelihood, impact })',
    );
    writeFileSync(join(dir, 'answers.yaml'), 'models: single\napiKey: sk-live-123\n');
    const key = await rejection(runInit(options(dir, { answers: 'answers.yaml', yes: true })));
    expect(key.message).toMatch(/keys never go in the spec/);
  });

  it('reads JSON', async () => {
    const dir = tempDir();
    const answers = {
      ...FLAGS,
      tier: 2,
      baseline: 240,
      target: 60,
      availability: 99.5,
      failureModeKinds: undefined,
      failureModes: [{ kind: 'data-drift' }],
    };
    const numeric = Object.fromEntries(
      Object.entries(answers).map(([k, v]) => [k, typeof v === 'string' && /^[\d.]+$/.test(v) ? Number(v) : v]),
    );
    writeFileSync(join(dir, 'answers.json'), JSON.stringify(numeric, null, 2));
    const { spec } = await runInit(options(dir, { answers: 'answers.json' }));
    expect(spec.metadata.tier).toBe(2);
    expect(spec.slo.latency).toEqual({ p95Ms: 1200, p99Ms: 2500 });
    expect(spec.failureModes?.map((m) => m.id)).toEqual(['data-drift']);
  });

  it('reports a bad answers file at its line and column', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'answers.yaml'), 'name: support-triage\navailability: 100\np95ms: 1200\n');
    const error = await rejection(runInit(options(dir, { answers: 'answers.yaml', yes: true })));
    expect(error.located).toMatch(/^answers\.yaml:2:15 availability must be a percentage below 100/);
    expect(error.message).toMatch(/answers\.yaml:3:1 unknown key "p95ms"; did you mean "p95Ms"\?/);

    writeFileSync(join(dir, 'answers.json'), '{\n  "name": "x",\n  "tier": 4\n}\n');
    const json = await rejection(runInit(options(dir, { answers: 'answers.json', yes: true })));
    expect(json.located).toMatch(/^answers\.json:3:11 tier must be 1 \(business critical\)/);

    writeFileSync(join(dir, 'broken.yaml'), 'name: [unclosed\n');
    const syntax = await rejection(runInit(options(dir, { answers: 'broken.yaml', yes: true })));
    expect(syntax.located).toMatch(/^broken\.yaml:\d+:\d+ YAML syntax error/);

    const missing = await rejection(runInit(options(dir, { answers: 'nope.yaml', yes: true })));
    expect(missing.message).toMatch(/cannot read answers file nope\.yaml: ENOENT/);
    expect(existsSync(join(dir, 'shipshape.yaml'))).toBe(false);
  });
});

describe('init --from', () => {
  it('writes the bundled example as it is, under the schema line', async () => {
    const dir = tempDir();
    await runInit(options(dir, { from: 'support-triage' }));
    const text = readFileSync(join(dir, 'shipshape.yaml'), 'utf8');
    expect(text).toBe(`${SCHEMA_LINE}\n${readFileSync(EXAMPLE, 'utf8')}`);
    expect(loadSpecText('shipshape.yaml', text).diagnostics).toEqual([]);
    expect(existsSync(join(dir, '.shipshape', 'shipshape.schema.json'))).toBe(true);
  });

  it('refuses an unknown example, listing the available ones, and never reads outside examples/', async () => {
    const dir = tempDir();
    const error = await rejection(runInit(options(dir, { from: 'support-triag' })));
    expect(error.message).toBe('unknown example "support-triag"; did you mean "support-triage"?');
    expect(error.hint).toMatch(/Available examples: .*support-triage/);
    const outside = await rejection(runInit(options(dir, { from: '../package' })));
    expect(outside.message).toMatch(/unknown example/);
  });

  it('takes answer flags over the example, keeping its comments, and refuses what it cannot place', async () => {
    const dir = tempDir();
    await runInit(options(dir, { from: 'support-triage', flags: { name: 'billing-triage', p95Ms: '900', strongModel: 'gpt-x' } }));
    const text = readFileSync(join(dir, 'shipshape.yaml'), 'utf8');
    const example = `${SCHEMA_LINE}\n${readFileSync(EXAMPLE, 'utf8')}`;
    const changed = text.split('\n').filter((line, index) => line !== example.split('\n')[index]);
    expect(changed).toEqual(['  name: billing-triage', '    p95Ms: 900', expect.stringMatching(/^ +model: gpt-x$/)]);
    expect(loadSpecText('shipshape.yaml', text).diagnostics).toEqual([]);

    const other = tempDir();
    const order = await rejection(runInit(options(other, { from: 'support-triage', flags: { p99Ms: '800' } })));
    expect(order.message).toBe('--p99-ms must be at least the p95 latency (1200 ms): a 99th percentile is never below the 95th');
    const lists = await rejection(runInit(options(other, { from: 'support-triage', flags: { models: 'single', tier: '7' } })));
    expect(lists.message).toMatch(/^invalid answers:\n {2}--.*\n {2}--tier must be 1/);
    expect(lists.message).toMatch(/--models cannot be combined with --from/);
    expect(existsSync(join(other, 'shipshape.yaml'))).toBe(false);
  });

  it('lists the bundled examples from the folder, each with its description', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'examples'));
    copyFileSync(EXAMPLE, join(root, 'examples', 'support-triage.yaml'));
    writeFileSync(join(root, 'examples', 'bare.yaml'), 'apiVersion: shipshape/v1\nmetadata: { name: bare }\n');
    writeFileSync(join(root, 'examples', 'notes.txt'), 'not an example\n');
    expect(await listExamples(root)).toEqual([
      { name: 'bare', description: '' },
      { name: 'support-triage', description: 'Routes incoming support tickets to the right queue and drafts a first reply.' },
    ]);
  });

  it('resolves examples from the package root, not the working directory', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'examples'));
    writeFileSync(join(dir, 'examples', 'local.yaml'), 'apiVersion: shipshape/v1\n');
    const error = await rejection(runInit(options(dir, { from: 'local' })));
    expect(error.message).toMatch(/unknown example "local"/);
  });
});

describe('init and an existing spec', () => {
  it('never overwrites shipshape.yaml without --force', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'shipshape.yaml'), 'mine\n');
    const error = await rejection(runInit(options(dir, { from: 'support-triage' })));
    expect(error.message).toBe('shipshape.yaml already exists');
    expect(error.hint).toMatch(/--force/);
    expect(readFileSync(join(dir, 'shipshape.yaml'), 'utf8')).toBe('mine\n');

    await runInit(options(dir, { from: 'support-triage', force: true }));
    expect(readFileSync(join(dir, 'shipshape.yaml'), 'utf8')).toMatch(/^# yaml-language-server/);
  });

  it('writes into --dir, creating it', async () => {
    const dir = tempDir();
    const result = await runInit(options(dir, { dir: 'services/triage', yes: true }));
    expect(result.file).toBe(join(dir, 'services', 'triage', 'shipshape.yaml'));
    expect(written(join(dir, 'services', 'triage')).spec.metadata.name).toBe('triage');
  });
});
