import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plainPaint, type Paint } from '../../src/text/paint.js';
import { evidenceLine, formatStatus } from '../../src/stages/format.js';
import { computeStatus, unmetStage, type ProjectStatus, type StageReport } from '../../src/stages/status.js';
import { parse } from 'yaml';
import { exampleText, stageOneText } from '../design/helpers.js';
import { tempDir } from '../helpers/temp.js';

/** Every stage's command, as if the later releases were out: `next` is then always available. */
const ALL_COMMANDS = ['init', 'check', 'design', 'generate', 'validate', 'deploy', 'runbook', 'review'];
/** The commands this release has. */
const CLI_COMMANDS = ['check', 'design', 'init', 'rules', 'schema', 'status', 'walk'];

const SPEC_TIME = new Date('2025-01-01T00:00:00Z');
const HOUR = 60 * 60 * 1000;
const PROMOTED_AT = '2025-01-10T12:00:00Z';
/** PROMOTED_AT plus the example's review.afterDays (30). */
const REVIEW_DUE = '2025-02-09';

const ADR = 'docs/adr/0001-architecture.md';
const MANIFEST = '.shipshape/manifest.json';
const REPORT = '.shipshape/reports/validation.json';
const DEPLOYMENTS = '.shipshape/deployments.json';
const RUNBOOK = 'docs/runbook.md';
const RULES = 'monitoring/prometheus-rules.yaml';

const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

function put(dir: string, file: string, text: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
}

function touch(dir: string, file: string, time: Date): void {
  utimesSync(join(dir, file), time, time);
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** What `generate` leaves: the components of stage 3, and the orchestration layer of stage 4. */
const COMPONENTS: Record<string, string> = {
  'src/pipeline/index.ts': 'export const pipeline = [];\n',
  'src/serving/app.ts': 'export const app = {};\n',
};
/** The generated wiring: the spec as data, then more `as const` lines, as service-ts renders src/config/spec.ts. */
const wiring = (text: string) =>
  `// generated\nconst data = ${JSON.stringify(parse(text), null, 2)} as const;\nexport const spec = data;\nexport const generatedBy = { pack: 1 } as const;\n`;
const ORCHESTRATION: Record<string, string> = {
  'src/orchestration/breaker.ts': 'export const breaker = {};\n',
  'src/config/spec.ts': wiring(exampleText),
};

function manifest(
  files: Record<string, string>,
  extra: Record<string, { ownership: string; sha256: string }> = {},
  specHash = sha256(exampleText),
): string {
  const entries = Object.fromEntries(Object.entries(files).map(([path, text]) => [path, { ownership: 'managed', sha256: sha256(text) }]));
  return json({ pack: { name: 'python-fastapi', version: '0.3.0' }, specHash, files: { ...entries, ...extra } });
}

const promotion = (hash: string) => ({ specHash: hash, status: 'promoted', startedAt: '2025-01-10T11:40:00Z', finishedAt: PROMOTED_AT });

/**
 * A project with exactly the evidence of stages 1 to `upTo` on disk: the stage-one spec for
 * stage 1, the full example from stage 2 on (its architecture is stage 2's evidence).
 */
function projectAt(upTo: number, text = upTo === 1 ? stageOneText : exampleText): string {
  const dir = tempDir();
  put(dir, 'shipshape.yaml', text);
  touch(dir, 'shipshape.yaml', SPEC_TIME);
  const hash = sha256(text);
  if (upTo >= 2) put(dir, ADR, '# ADR 0001: Architecture of support-triage\n');
  if (upTo >= 3) {
    const files = upTo >= 4 ? { ...COMPONENTS, ...ORCHESTRATION, 'src/config/spec.ts': wiring(text) } : COMPONENTS;
    for (const [path, content] of Object.entries(files)) put(dir, path, content);
    put(dir, MANIFEST, manifest(files, {}, hash));
  }
  if (upTo >= 5) {
    const scenarios = ['llm-outage', 'llm-slow', 'malformed-output', 'overload-soak'].map((id) => ({ id, passed: true }));
    put(dir, REPORT, json({ specHash: hash, passed: true, scenarios }));
  }
  if (upTo >= 6) put(dir, DEPLOYMENTS, json({ deployments: [promotion(hash)] }));
  if (upTo >= 7) {
    put(dir, RUNBOOK, '# Runbook: support-triage\n');
    put(dir, RULES, 'groups: []\n');
    touch(dir, RUNBOOK, new Date(SPEC_TIME.getTime() + HOUR));
    touch(dir, RULES, new Date(SPEC_TIME.getTime() + HOUR));
  }
  if (upTo >= 8) put(dir, `docs/reviews/${REVIEW_DUE}.md`, '# 30-day review\n');
  return dir;
}

const status = (cwd: string, commands: readonly string[] = ALL_COMMANDS, dir?: string): Promise<ProjectStatus> =>
  computeStatus({ cwd, commands, ...(dir === undefined ? {} : { dir }) });

const states = (s: ProjectStatus) => s.stages.map((stage) => stage.state);
const stage = (s: ProjectStatus, n: number): StageReport => s.stages.find((x) => x.number === n)!;
/** A stage's evidence as [ok, file, detail]: what it says, and about which file. */
const facts = (s: ProjectStatus, n: number) => stage(s, n).evidence.map((e) => [e.ok, e.file, e.detail]);

/** Every stage's evidence when stages 1 to `upTo` are done and the rest not started. */
function expectedFacts(upTo: number): unknown[][][] {
  const none = (stageNumber: number) => upTo < stageNumber;
  const generated = upTo >= 4 ? 4 : 2;
  return [
    [
      [true, 'shipshape.yaml', 'shipshape.yaml exists'],
      [true, 'shipshape.yaml', 'shipshape.yaml passes the check at stage 1'],
    ],
    none(2)
      ? [
          [false, 'shipshape.yaml', 'no architecture.patterns in shipshape.yaml'],
          [false, ADR, `no ${ADR}`],
          [
            false,
            'shipshape.yaml',
            expect.stringMatching(
              /^1 error at stage 2, first: shipshape\.yaml:4:1 The spec is checked at stage 2 but has no `architecture`/,
            ),
          ],
        ]
      : [
          [true, 'shipshape.yaml', '8 patterns in architecture.patterns'],
          [true, ADR, `${ADR} exists`],
          [true, 'shipshape.yaml', 'no errors at stage 2'],
        ],
    none(3)
      ? [[false, MANIFEST, `no ${MANIFEST}`]]
      : [
          [true, MANIFEST, `${MANIFEST} lists ${generated} files from python-fastapi 0.3.0`],
          [true, undefined, `${generated} managed files unchanged`],
        ],
    [
      none(3) ? [false, undefined, 'stage 3 is not started'] : [true, undefined, 'stage 3 is done'],
      none(2)
        ? [false, 'shipshape.yaml', 'no resilience section in shipshape.yaml']
        : [true, 'shipshape.yaml', 'resilience is set in shipshape.yaml'],
      none(4) ? [false, 'src/orchestration/', 'no src/orchestration/'] : [true, 'src/orchestration/', 'src/orchestration/ exists'],
      none(4)
        ? [false, 'src/config/spec.ts', 'no src/config/spec.ts']
        : [true, 'src/config/spec.ts', 'src/config/spec.ts wires the tiers fast and strong and the lower-tier fallback'],
    ],
    none(5)
      ? [[false, REPORT, `no ${REPORT}`]]
      : [
          [true, REPORT, `${REPORT} is for the current shipshape.yaml`],
          [true, REPORT, 'every scenario passed'],
        ],
    none(6) ? [[false, DEPLOYMENTS, `no ${DEPLOYMENTS}`]] : [[true, DEPLOYMENTS, 'the current shipshape.yaml was promoted on 2025-01-10']],
    none(7)
      ? [
          [false, RUNBOOK, `no ${RUNBOOK}`],
          [false, RULES, `no ${RULES}`],
        ]
      : [
          [true, RUNBOOK, `${RUNBOOK} is newer than shipshape.yaml`],
          [true, RULES, `${RULES} is newer than shipshape.yaml`],
        ],
    [
      none(6)
        ? [false, DEPLOYMENTS, 'no promoted deployment to review yet']
        : [true, DEPLOYMENTS, `last promoted on 2025-01-10: the review is due on ${REVIEW_DUE} (30 days later)`],
      none(8)
        ? [false, 'docs/reviews/', none(6) ? 'no review in docs/reviews/' : `no review in docs/reviews/ (due on ${REVIEW_DUE})`]
        : [
            true,
            `docs/reviews/${REVIEW_DUE}.md`,
            `docs/reviews/${REVIEW_DUE}.md is dated ${REVIEW_DUE}, once the review was due (${REVIEW_DUE})`,
          ],
    ],
  ];
}

const NEXT: Record<number, { command: string; title: string } | null> = {
  1: { command: 'design', title: 'Architecture' },
  2: { command: 'generate', title: 'Modular components' },
  3: { command: 'generate', title: 'Circuit breakers and orchestration' },
  4: { command: 'validate', title: 'End-to-end validation' },
  5: { command: 'deploy', title: 'Blue-green deploy' },
  6: { command: 'runbook', title: 'Handoff' },
  7: { command: 'review', title: 'Iterative improvement' },
  8: null,
};

describe('computeStatus at each stage', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('stage %i: the stages up to it done, the rest not started, next is the stage after', async (upTo) => {
    const dir = projectAt(upTo);
    const s = await status(dir);
    expect(s.root).toBe(dir);
    expect(s.spec).toBe('shipshape.yaml');
    expect(s.specHash).toBe(sha256(readFileSync(join(dir, 'shipshape.yaml'))));
    expect(states(s)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => (n <= upTo ? 'done' : 'not-started')));
    expect(s.done).toBe(upTo);
    expect(s.stages.map((_, i) => facts(s, i + 1))).toEqual(expectedFacts(upTo));
    const next = NEXT[upTo]!;
    expect(s.next).toEqual(
      next && {
        stage: upTo + 1,
        title: next.title,
        command: next.command,
        args: [],
        line: `shipshape ${next.command}`,
        available: true,
        manual: false,
      },
    );
  });

  it('marks the commands this release lacks as coming, in the stages and in next', async () => {
    const s = await status(projectAt(2), CLI_COMMANDS);
    expect(s.stages.map((x) => [x.command, x.available])).toEqual([
      ['init', true],
      ['design', true],
      ['generate', false],
      ['generate', false],
      ['validate', false],
      ['deploy', false],
      ['runbook', false],
      ['review', false],
    ]);
    expect(s.next).toMatchObject({ stage: 3, command: 'generate', line: 'shipshape generate', available: false });
  });

  it('reads the evidence afresh on every call: one more file moves the project on', async () => {
    const dir = projectAt(1);
    expect((await status(dir)).next?.stage).toBe(2);
    const at2 = projectAt(2);
    put(dir, 'shipshape.yaml', readFileSync(join(at2, 'shipshape.yaml'), 'utf8'));
    expect(stage(await status(dir), 2).state).toBe('in-progress');
    put(dir, ADR, '# ADR\n');
    const s = await status(dir);
    expect(stage(s, 2).state).toBe('done');
    expect(s.next?.stage).toBe(3);
  });
});

describe('computeStatus: stage 1, the spec', () => {
  it('a spec that fails the check is in progress, with the first error and a manual next step', async () => {
    const text = stageOneText.replace('p95Ms: 1200', 'p95Ms: -5');
    const dir = projectAt(1, text);
    const s = await status(dir);
    expect(stage(s, 1).state).toBe('in-progress');
    expect(facts(s, 1)).toEqual([
      [true, 'shipshape.yaml', 'shipshape.yaml exists'],
      [false, 'shipshape.yaml', '1 error at stage 1, first: shipshape.yaml:41:12 slo.latency.p95Ms must be a positive number'],
    ]);
    expect(s.done).toBe(0);
    expect(s.next).toEqual({
      stage: 1,
      title: 'Requirements',
      command: 'check',
      args: ['--stage', '1'],
      line: 'shipshape check --stage 1',
      available: true,
      manual: true,
      why: 'fix the errors in shipshape.yaml',
    });
  });

  it('a check that cannot run (a broken policy file) is a clear evidence line, not a crash', async () => {
    const dir = projectAt(1);
    put(dir, 'shipshape.policy.yaml', 'garbage: 1\n');
    const s = await status(dir);
    expect(stage(s, 1).state).toBe('in-progress');
    expect(facts(s, 1)[1]).toEqual([
      false,
      'shipshape.yaml',
      `the check could not run: ${join(dir, 'shipshape.policy.yaml')}:1:1 unknown key "garbage"`,
    ]);
    expect(s.next).toMatchObject({
      stage: 1,
      line: 'shipshape check --stage 1',
      manual: true,
      why: `fix what stops the check: ${join(dir, 'shipshape.policy.yaml')}:1:1 unknown key "garbage"`,
    });
  });

  it('no spec at all: every stage not started, stage 1 says where it looked, next is init', async () => {
    const dir = tempDir();
    const s = await status(dir);
    expect(s.root).toBe(dir);
    expect(s.spec).toBeNull();
    expect(s.specHash).toBeNull();
    expect(states(s)).toEqual(Array(8).fill('not-started'));
    expect(facts(s, 1)).toEqual([[false, 'shipshape.yaml', `no shipshape.yaml in ${dir} or any folder above it`]]);
    expect(facts(s, 5)).toEqual([[false, 'shipshape.yaml', 'needs shipshape.yaml (stage 1) first']]);
    expect(s.next).toEqual({
      stage: 1,
      title: 'Requirements',
      command: 'init',
      args: [],
      line: 'shipshape init',
      available: true,
      manual: false,
    });
  });

  it('finds the spec from a subfolder, and names the root and the evidence relative to it', async () => {
    const dir = projectAt(3);
    const deep = join(dir, 'src', 'serving');
    const s = await status(deep);
    expect(s.root).toBe(dir);
    expect(s.spec).toBe('shipshape.yaml');
    expect(states(s)).toEqual(['done', 'done', 'done', 'not-started', 'not-started', 'not-started', 'not-started', 'not-started']);
    expect(facts(s, 3)[0]).toEqual([true, MANIFEST, `${MANIFEST} lists 2 files from python-fastapi 0.3.0`]);
  });

  it('--dir is resolved from the working directory; a missing folder is a UserError', async () => {
    const dir = projectAt(2);
    const elsewhere = tempDir();
    const s = await status(elsewhere, ALL_COMMANDS, `../${basename(dir)}/docs`);
    expect(s.root).toBe(dir);
    expect(s.done).toBe(2);
    const fromCwd = await status(dir, ALL_COMMANDS, elsewhere);
    expect(fromCwd.spec).toBeNull();
    expect(fromCwd.root).toBe(elsewhere);
    await expect(status(dir, ALL_COMMANDS, 'nope')).rejects.toMatchObject({ name: 'UserError', message: 'no such folder: nope' });
    await expect(status(dir, ALL_COMMANDS, 'shipshape.yaml')).rejects.toThrow('no such folder: shipshape.yaml');
  });

  it('reads shipshape.yml too, and names it in the evidence', async () => {
    const dir = tempDir();
    put(dir, 'shipshape.yml', stageOneText);
    const s = await status(dir);
    expect(s.spec).toBe('shipshape.yml');
    expect(facts(s, 1)).toEqual([
      [true, 'shipshape.yml', 'shipshape.yml exists'],
      [true, 'shipshape.yml', 'shipshape.yml passes the check at stage 1'],
    ]);
    expect(facts(s, 2)[0]).toEqual([false, 'shipshape.yml', 'no architecture.patterns in shipshape.yml']);
  });
});

describe('computeStatus: stage 2, the architecture', () => {
  it('patterns without the ADR: in progress, next is design', async () => {
    const dir = projectAt(2);
    rmSync(join(dir, 'docs'), { recursive: true });
    const s = await status(dir);
    expect(stage(s, 2).state).toBe('in-progress');
    expect(evidenceLine(stage(s, 2))).toBe(`no ${ADR}`);
    expect(s.next).toMatchObject({ stage: 2, command: 'design', args: [], manual: false });
  });

  it('patterns and the ADR but errors at stage 2: an edit by hand, shown by check --stage 2', async () => {
    // The example's patterns with a failure mode that none of them addresses.
    const text = exampleText.replace(
      'failureModes:                  # what can go wrong in production, ranked by the owner\n',
      'failureModes:\n  - id: cost-spike\n    kind: cost-overrun\n    likelihood: high\n    impact: high\n',
    );
    const dir = projectAt(2, text);
    const s = await status(dir);
    expect(stage(s, 1).state).toBe('done');
    expect(stage(s, 2).state).toBe('in-progress');
    const check = facts(s, 2)[2]!;
    expect(check[0]).toBe(false);
    expect(check[2]).toMatch(/^\d+ errors? at stage 2, first: shipshape\.yaml:\d+:\d+ /);
    expect(s.next).toEqual({
      stage: 2,
      title: 'Architecture',
      command: 'check',
      args: ['--stage', '2'],
      line: 'shipshape check --stage 2',
      available: true,
      manual: true,
      why: 'fix the errors in shipshape.yaml',
    });
  });
});

describe('computeStatus: stages 3 and 4, the generated files', () => {
  it('a file whose hash no longer matches: stage 3 in progress, naming the file; stage 4 waits on it', async () => {
    const dir = projectAt(4);
    put(dir, 'src/serving/app.ts', 'export const app = { edited: true };\n');
    const s = await status(dir);
    expect(states(s).slice(0, 4)).toEqual(['done', 'done', 'in-progress', 'in-progress']);
    expect(facts(s, 3)).toEqual([
      [true, MANIFEST, `${MANIFEST} lists 4 files from python-fastapi 0.3.0`],
      [
        false,
        'src/serving/app.ts',
        'src/serving/app.ts is managed by the pack but changed since it was generated (its sha256 differs from the manifest)',
      ],
    ]);
    expect(facts(s, 4)[0]).toEqual([false, undefined, 'stage 3 is in progress']);
    // Regenerating would throw the edit away: the check says where the change belongs.
    expect(s.next).toMatchObject({
      stage: 3,
      command: 'check',
      line: 'shipshape check --stage 3',
      manual: true,
      why: 'fix src/serving/app.ts, a managed file edited by hand',
    });
  });

  it('a missing file and a path outside the project are each named; the outside one is never read', async () => {
    const dir = projectAt(3);
    rmSync(join(dir, 'src/pipeline/index.ts'));
    // A file outside whose hash matches: were it read, it would pass as unchanged.
    const other = tempDir();
    put(other, 'escape.txt', 'x');
    const relative = `../${basename(other)}/escape.txt`;
    const absolute = join(other, 'escape.txt');
    const entry = { ownership: 'managed', sha256: sha256('x') };
    put(dir, MANIFEST, manifest(COMPONENTS, { [relative]: entry, [absolute]: entry }));
    const s = await status(dir);
    expect(stage(s, 3).state).toBe('in-progress');
    expect(facts(s, 3).slice(1)).toEqual([
      [false, 'src/pipeline/index.ts', 'src/pipeline/index.ts listed in the manifest but missing'],
      [false, relative, `${relative} listed in the manifest but outside the project; not read`],
      [false, absolute, `${absolute} listed in the manifest but outside the project; not read`],
    ]);
    expect(evidenceLine(stage(s, 3))).toBe('src/pipeline/index.ts listed in the manifest but missing (+2 more)');
  });

  it('a hash recorded in upper case still matches', async () => {
    const dir = projectAt(3);
    const upper = Object.fromEntries(
      Object.entries(COMPONENTS).map(([path, text]) => [path, { ownership: 'managed', sha256: sha256(text).toUpperCase() }]),
    );
    put(dir, MANIFEST, json({ pack: { name: 'python-fastapi', version: '0.3.0' }, files: upper }));
    expect(stage(await status(dir), 3).state).toBe('done');
  });

  it("edited seeded and merged files are the user's: stage 3 stays done", async () => {
    const dir = projectAt(3);
    const yours = { 'src/pipeline/steps.ts': 'export const steps = [];\n', 'src/config.ts': 'export const config = {};\n' };
    for (const [path, text] of Object.entries(yours)) put(dir, path, text);
    put(
      dir,
      MANIFEST,
      manifest(COMPONENTS, {
        'src/pipeline/steps.ts': { ownership: 'seeded', sha256: sha256(yours['src/pipeline/steps.ts']) },
        'src/config.ts': { ownership: 'merged', sha256: sha256(yours['src/config.ts']) },
      }),
    );
    // Given both edited after generation
    put(dir, 'src/pipeline/steps.ts', 'export const steps = [clean, classify];\n');
    put(dir, 'src/config.ts', 'export const config = { region: "eu" };\n');
    const s = await status(dir);
    expect(stage(s, 3).state).toBe('done');
    expect(facts(s, 3)).toEqual([
      [true, MANIFEST, `${MANIFEST} lists 4 files from python-fastapi 0.3.0`],
      [true, undefined, '2 managed files unchanged, 2 seeded or merged files in place'],
    ]);

    // A managed file edited alongside them is the only one named.
    put(dir, 'src/pipeline/index.ts', 'export const pipeline = [patched];\n');
    const edited = await status(dir);
    expect(stage(edited, 3).state).toBe('in-progress');
    expect(facts(edited, 3).slice(1)).toEqual([
      [
        false,
        'src/pipeline/index.ts',
        'src/pipeline/index.ts is managed by the pack but changed since it was generated (its sha256 differs from the manifest)',
      ],
    ]);
  });

  it('a seeded or merged file that is gone is named: it must still be there', async () => {
    const dir = projectAt(3);
    put(dir, MANIFEST, manifest(COMPONENTS, { 'src/config.ts': { ownership: 'merged', sha256: sha256('x') } }));
    const s = await status(dir);
    expect(stage(s, 3).state).toBe('in-progress');
    expect(facts(s, 3).slice(1)).toEqual([[false, 'src/config.ts', 'src/config.ts listed in the manifest but missing']]);
    // A folder in its place is not the file either.
    mkdirSync(join(dir, 'src/config.ts'));
    expect(facts(await status(dir), 3).slice(1)).toEqual([[false, 'src/config.ts', 'src/config.ts listed in the manifest but missing']]);
  });

  it('reads ownership strictly and the format version, and accepts version and generatedAt', async () => {
    const dir = projectAt(3);
    const files = (ownership: unknown) => ({ 'src/serving/app.ts': { ownership, sha256: sha256(COMPONENTS['src/serving/app.ts']!) } });
    const line = async () => evidenceLine(stage(await status(dir), 3));

    put(dir, MANIFEST, json({ files: files('generated') }));
    expect(await line()).toBe(`${MANIFEST} gives src/serving/app.ts the ownership "generated"; expected managed, seeded or merged`);
    put(dir, MANIFEST, json({ files: files(undefined) }));
    expect(await line()).toBe(`${MANIFEST} gives src/serving/app.ts no ownership; expected managed, seeded or merged`);
    put(dir, MANIFEST, json({ files: { 'src/serving/app.ts': { ownership: 'managed', sha256: 'abc' } } }));
    expect(await line()).toBe(`${MANIFEST} has a sha256 for src/serving/app.ts that is not 64 hex digits`);
    put(dir, MANIFEST, json({ version: 2, files: files('managed') }));
    expect(await line()).toBe(`${MANIFEST} is format version 2; this shipshape reads version 1`);

    const pack = { name: 'python-fastapi', version: '0.3.0', source: { kind: 'bundled', name: 'python-fastapi' } };
    put(
      dir,
      MANIFEST,
      json({ version: 1, pack, specHash: sha256(exampleText), generatedAt: '2025-01-02T03:04:05.000Z', files: files('managed') }),
    );
    const s = await status(dir);
    expect(stage(s, 3).state).toBe('done');
    expect(evidenceLine(stage(s, 3))).toBe(`${MANIFEST} lists 1 file from python-fastapi 0.3.0; 1 managed file unchanged`);
  });

  it('a manifest that lists no file is not done', async () => {
    const dir = projectAt(3);
    put(dir, MANIFEST, json({ pack: { name: 'python-fastapi' }, files: {} }));
    const s = await status(dir);
    expect(stage(s, 3).state).toBe('in-progress');
    expect(evidenceLine(stage(s, 3))).toBe(`${MANIFEST} lists 0 files from python-fastapi`);
  });

  it('corrupt or malformed manifests are evidence lines, not crashes', async () => {
    const dir = projectAt(3);
    put(dir, MANIFEST, '{ "files": {');
    let s = await status(dir);
    expect(stage(s, 3).state).toBe('in-progress');
    expect(facts(s, 3)).toEqual([[false, MANIFEST, expect.stringMatching(/^\.shipshape\/manifest\.json is not valid JSON \(.+\)$/)]]);
    expect(s.next).toMatchObject({ stage: 3, command: 'generate' });

    put(dir, MANIFEST, json({ files: { 'src/serving/app.ts': { ownership: 'generated' } } }));
    s = await status(dir);
    expect(evidenceLine(stage(s, 3))).toBe(`${MANIFEST} has no sha256 for src/serving/app.ts`);

    put(dir, MANIFEST, json([]));
    expect(evidenceLine(stage(await status(dir), 3))).toBe(`${MANIFEST} is not a JSON object`);
  });

  it('stage 4 needs resilience in the spec as well as the generated layer', async () => {
    const text = exampleText.slice(0, exampleText.indexOf('\nresilience:') + 1);
    const dir = projectAt(4, text);
    const s = await status(dir);
    expect(stage(s, 3).state).toBe('done');
    expect(stage(s, 4).state).toBe('in-progress');
    expect(evidenceLine(stage(s, 4))).toBe('no resilience section in shipshape.yaml');
  });

  it('stage 4 asks for wiring of every tier and the fallback the spec names now, not for a folder', async () => {
    const dir = projectAt(4);
    expect(stage(await status(dir), 4).state).toBe('done');
    // A tier added to the spec and a fallback changed since generate: stage 3 goes stale, and
    // stage 4 names what the generated wiring lacks.
    const text = exampleText
      .replace(
        '    - name: strong\n',
        '    - name: backup\n      kind: http\n      model: b\n      timeoutMs: 100\n      costPerRequestUsd: 0\n    - name: strong\n',
      )
      .replace('    strategy: lower-tier       # lower-tier | static | cache', '    strategy: static');
    put(dir, 'shipshape.yaml', text);
    const wiringOf = (s: ProjectStatus) => stage(s, 4).evidence.find((item) => item.what === 'generated wiring')!;
    expect(wiringOf(await status(dir))).toMatchObject({
      ok: false,
      detail: 'src/config/spec.ts does not wire the tier backup: run shipshape generate',
    });
    put(dir, 'shipshape.yaml', exampleText.replace('    strategy: lower-tier       # lower-tier | static | cache', '    strategy: static'));
    expect(wiringOf(await status(dir)).detail).toBe(
      'src/config/spec.ts wires the fallback lower-tier, the spec names static: run shipshape generate',
    );
    // The folder alone is not the wiring: without the config file, stage 4 is not done.
    put(dir, 'shipshape.yaml', exampleText);
    rmSync(join(dir, 'src/config/spec.ts'));
    const s = await status(dir);
    expect(stage(s, 4).state).toBe('in-progress');
    expect(wiringOf(s)).toMatchObject({ ok: false, detail: 'no src/config/spec.ts' });
    put(dir, 'src/config/spec.ts', 'export const spec = {};\n');
    expect(wiringOf(await status(dir)).detail).toBe('src/config/spec.ts holds no spec data the service can run with');
  });
});

describe('computeStatus: stage 5, validation', () => {
  it('a report for an older spec is stale: in progress, next is validate', async () => {
    const dir = projectAt(5);
    put(dir, REPORT, json({ specHash: sha256(stageOneText), passed: true }));
    const s = await status(dir);
    expect(stage(s, 5).state).toBe('in-progress');
    expect(facts(s, 5)).toEqual([
      [false, REPORT, `${REPORT} is stale: it ran on another version of shipshape.yaml`],
      [true, REPORT, 'every scenario passed'],
    ]);
    expect(s.next).toMatchObject({ stage: 5, command: 'validate', line: 'shipshape validate', manual: false });
  });

  it('a failed report for the current spec names the scenarios that failed', async () => {
    const dir = projectAt(5);
    const scenarios = [
      { id: 'llm-outage', passed: false },
      { id: 'llm-slow', passed: true },
      { id: 'malformed-output', passed: false },
    ];
    put(dir, REPORT, json({ specHash: sha256(exampleText).toUpperCase(), passed: false, scenarios }));
    const s = await status(dir);
    expect(stage(s, 5).state).toBe('in-progress');
    expect(facts(s, 5)).toEqual([
      [true, REPORT, `${REPORT} is for the current shipshape.yaml`],
      [false, REPORT, 'validation failed: llm-outage, malformed-output'],
    ]);
  });

  it('corrupt or malformed reports are evidence lines', async () => {
    const dir = projectAt(5);
    put(dir, REPORT, 'not json');
    let s = await status(dir);
    expect(stage(s, 5).state).toBe('in-progress');
    expect(evidenceLine(stage(s, 5))).toMatch(/^\.shipshape\/reports\/validation\.json is not valid JSON \(/);

    put(dir, REPORT, json({ specHash: sha256(exampleText), passed: 'yes' }));
    s = await status(dir);
    expect(evidenceLine(stage(s, 5))).toBe(`${REPORT} has no "passed" true or false`);
  });
});

describe('computeStatus: stage 6, deployment', () => {
  it('a rollback as the last deployment: in progress, dated; the review still counts from the promotion', async () => {
    const dir = projectAt(6);
    const hash = sha256(exampleText);
    const rollback = { specHash: hash, status: 'rolled-back', startedAt: '2025-01-12T09:00:00Z', finishedAt: '2025-01-12T09:20:00Z' };
    put(dir, DEPLOYMENTS, json({ deployments: [promotion(hash), rollback] }));
    const s = await status(dir);
    expect(states(s)).toEqual(['done', 'done', 'done', 'done', 'done', 'in-progress', 'not-started', 'not-started']);
    expect(facts(s, 6)).toEqual([[false, DEPLOYMENTS, 'the last deployment on 2025-01-12 ended rolled-back, not promoted']]);
    expect(facts(s, 8)[0]).toEqual([true, DEPLOYMENTS, `last promoted on 2025-01-10: the review is due on ${REVIEW_DUE} (30 days later)`]);
    expect(s.next).toMatchObject({ stage: 6, command: 'deploy', line: 'shipshape deploy' });
  });

  it('a bad release rolled back after a promotion: done, the promoted release serves', async () => {
    const dir = projectAt(6);
    const hash = sha256(exampleText);
    const v1 = { ...promotion(hash), version: 'v1' };
    const v2 = {
      specHash: hash,
      status: 'rolled-back',
      kind: 'rollout',
      version: 'v2',
      previousVersion: 'v1',
      startedAt: '2025-01-12T09:00:00Z',
      finishedAt: '2025-01-12T09:20:00Z',
    };
    put(dir, DEPLOYMENTS, json({ deployments: [v1, v2] }));
    const s = await status(dir);
    expect(stage(s, 6).state).toBe('done');
    expect(facts(s, 6)).toEqual([
      [
        true,
        DEPLOYMENTS,
        'the current shipshape.yaml was promoted on 2025-01-10 (v1 is the live release); the later rollout of v2 on 2025-01-12 ended rolled-back',
      ],
    ]);
  });

  it('a rollout that has not ended is in progress; a manual rollback to a release of another spec is not done', async () => {
    const dir = projectAt(6);
    const hash = sha256(exampleText);
    const running = { specHash: hash, status: 'in-progress', version: 'v2', startedAt: '2025-01-12T09:00:00Z' };
    put(dir, DEPLOYMENTS, json({ deployments: [{ ...promotion(hash), version: 'v1' }, running] }));
    let s = await status(dir);
    expect(stage(s, 6).state).toBe('in-progress');
    expect(facts(s, 6)[0]?.[2]).toMatch(/^a rollout started on 2025-01-12 has not ended/);

    const old = { ...promotion(sha256(stageOneText)), version: 'v0' };
    const back = { ...promotion(hash), status: 'rolled-back', kind: 'rollback', version: 'v0', specHash: sha256(stageOneText) };
    put(dir, DEPLOYMENTS, json({ deployments: [old, { ...promotion(hash), version: 'v1' }, back] }));
    s = await status(dir);
    expect(stage(s, 6).state).toBe('in-progress');
    expect(facts(s, 6)[0]?.[2]).toBe('the last promotion on 2025-01-10 deployed another version of shipshape.yaml');
  });

  it('a promotion of another version of the spec is not done', async () => {
    const dir = projectAt(6);
    put(dir, DEPLOYMENTS, json([promotion(sha256(stageOneText))]));
    const s = await status(dir);
    expect(stage(s, 6).state).toBe('in-progress');
    expect(facts(s, 6)).toEqual([[false, DEPLOYMENTS, 'the last promotion on 2025-01-10 deployed another version of shipshape.yaml']]);
  });

  it('an empty history is not started; a corrupt one is an evidence line for stages 6 and 8', async () => {
    const dir = projectAt(8);
    put(dir, DEPLOYMENTS, json({ deployments: [] }));
    let s = await status(dir);
    expect(stage(s, 6).state).toBe('not-started');
    expect(facts(s, 6)).toEqual([[false, DEPLOYMENTS, `${DEPLOYMENTS} lists no deployment`]]);

    put(dir, DEPLOYMENTS, '{"deployments": [');
    s = await status(dir);
    expect(stage(s, 6).state).toBe('in-progress');
    expect(facts(s, 6)).toEqual([[false, DEPLOYMENTS, expect.stringMatching(/^\.shipshape\/deployments\.json is not valid JSON \(.+\)$/)]]);
    expect(stage(s, 8).state).toBe('in-progress');
    expect(evidenceLine(stage(s, 8))).toMatch(/^\.shipshape\/deployments\.json is not valid JSON \(/);
    expect(s.next).toMatchObject({ stage: 6, command: 'deploy' });

    put(dir, DEPLOYMENTS, json({ deployments: [{ specHash: sha256(exampleText) }] }));
    s = await status(dir);
    expect(evidenceLine(stage(s, 6))).toBe(`${DEPLOYMENTS} entry 1 has no "status"`);
  });
});

describe('computeStatus: stage 7, handoff', () => {
  it('a runbook older than the spec: in progress, naming the file', async () => {
    const dir = projectAt(7);
    touch(dir, RUNBOOK, new Date(SPEC_TIME.getTime() - HOUR));
    const s = await status(dir);
    expect(stage(s, 7).state).toBe('in-progress');
    expect(facts(s, 7)).toEqual([
      [false, RUNBOOK, `${RUNBOOK} is older than shipshape.yaml`],
      [true, RULES, `${RULES} is newer than shipshape.yaml`],
    ]);
    expect(s.next).toMatchObject({ stage: 7, command: 'runbook' });
  });

  it('written in the same instant as the spec counts as fresh; one file alone is in progress', async () => {
    const dir = projectAt(7);
    touch(dir, RUNBOOK, SPEC_TIME);
    expect(stage(await status(dir), 7).state).toBe('done');
    rmSync(join(dir, RULES));
    const s = await status(dir);
    expect(stage(s, 7).state).toBe('in-progress');
    expect(evidenceLine(stage(s, 7))).toBe(`no ${RULES}`);
  });

  it('editing the spec after everything: the stages tied to its version or its time fall back', async () => {
    const dir = projectAt(8);
    writeFileSync(join(dir, 'shipshape.yaml'), `${exampleText}# edited\n`);
    const s = await status(dir);
    // The generated code holds the spec: stage 3 (and 4, which builds on it) wait for a re-generation.
    expect(states(s)).toEqual(['done', 'done', 'in-progress', 'in-progress', 'in-progress', 'in-progress', 'in-progress', 'done']);
    expect(evidenceLine(stage(s, 3))).toBe('shipshape.yaml changed since the project was generated: run shipshape generate');
    expect(evidenceLine(stage(s, 5))).toBe(`${REPORT} is stale: it ran on another version of shipshape.yaml`);
    expect(evidenceLine(stage(s, 6))).toBe('the last promotion on 2025-01-10 deployed another version of shipshape.yaml');
    expect(evidenceLine(stage(s, 7))).toBe(`${RUNBOOK} is older than shipshape.yaml (+1 more)`);
    expect(s.next).toMatchObject({ stage: 3, command: 'generate' });
  });
});

describe('computeStatus: stage 8, review', () => {
  it('a review dated before it was due is in progress', async () => {
    const dir = projectAt(7);
    put(dir, 'docs/reviews/2025-02-08.md', '# early\n');
    const s = await status(dir);
    expect(stage(s, 8).state).toBe('in-progress');
    expect(facts(s, 8)[1]).toEqual([
      false,
      'docs/reviews/2025-02-08.md',
      `docs/reviews/2025-02-08.md is dated 2025-02-08, before the review is due (${REVIEW_DUE})`,
    ]);
  });

  it('honours review.afterDays from the spec', async () => {
    const text = exampleText.replace('afterDays: 30', 'afterDays: 7');
    const dir = projectAt(7, text);
    put(dir, 'docs/reviews/2025-01-16.md', '# early\n');
    let s = await status(dir);
    expect(stage(s, 8).state).toBe('in-progress');
    expect(facts(s, 8)[0]).toEqual([true, DEPLOYMENTS, 'last promoted on 2025-01-10: the review is due on 2025-01-17 (7 days later)']);
    put(dir, 'docs/reviews/2025-01-17-retro.md', '# on time\n');
    s = await status(dir);
    expect(stage(s, 8).state).toBe('done');
    expect(s.next).toBeNull();
  });

  it('a review without a date in its name is dated by its mtime; a review with no promotion is in progress', async () => {
    const dir = projectAt(5);
    put(dir, 'docs/reviews/notes.md', '# notes\n');
    touch(dir, 'docs/reviews/notes.md', new Date('2025-03-01T10:00:00Z'));
    const s = await status(dir);
    expect(stage(s, 8).state).toBe('in-progress');
    expect(facts(s, 8)).toEqual([
      [false, DEPLOYMENTS, 'no promoted deployment to review yet'],
      [false, 'docs/reviews/notes.md', 'docs/reviews/notes.md is dated 2025-03-01 (by its mtime)'],
    ]);
  });
});

describe('unmetStage', () => {
  it('is undefined when stages 1 to N are done, else names the first stage that is not and why', async () => {
    const s = await status(projectAt(1));
    expect(unmetStage(s, 1)).toBeUndefined();
    expect(unmetStage(s, 2)).toBe('stage 2 (Architecture) is not started: no architecture.patterns in shipshape.yaml');
    expect(unmetStage(s, 8)).toBe('stage 2 (Architecture) is not started: no architecture.patterns in shipshape.yaml');
  });

  it('names an in-progress stage with its evidence, and passes a fully done project', async () => {
    const dir = projectAt(6);
    const hash = sha256(exampleText);
    put(dir, DEPLOYMENTS, json([promotion(hash), { specHash: hash, status: 'failed', startedAt: '2025-01-11T08:00:00Z' }]));
    const s = await status(dir);
    expect(unmetStage(s, 5)).toBeUndefined();
    expect(unmetStage(s, 6)).toBe(
      'stage 6 (Blue-green deploy) is in progress: the last deployment on 2025-01-11 ended failed, not promoted',
    );
    expect(unmetStage(await status(projectAt(8)), 8)).toBeUndefined();
  });

  it('without a spec, stage 1 is the unmet one', async () => {
    const dir = tempDir();
    expect(unmetStage(await status(dir), 1)).toBe(
      `stage 1 (Requirements) is not started: no shipshape.yaml in ${dir} or any folder above it`,
    );
  });
});

describe('formatStatus', () => {
  const tagged: Paint = {
    ...plainPaint,
    green: (s) => `<green>${s}</green>`,
    yellow: (s) => `<yellow>${s}</yellow>`,
    dim: (s) => `<dim>${s}</dim>`,
    bold: (s) => `<bold>${s}</bold>`,
  };

  it('renders the table rows, the coming commands and the next command, without colour under a plain paint', async () => {
    const dir = projectAt(2);
    const out = formatStatus(await status(dir, CLI_COMMANDS), plainPaint);
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/\u001b\[/);
    const lines = out.split('\n');
    expect(lines[0]).toBe(`shipshape status ${join(dir, 'shipshape.yaml')}`);
    expect(lines[2]).toMatch(/^ {2}# {2}Stage {2,}State {2,}Command {2,}Evidence$/);
    expect(lines[3]).toMatch(
      /^ {2}1 {2}Requirements {2,}✔ done {2,}init {2,}shipshape\.yaml exists; shipshape\.yaml passes the check at stage 1$/,
    );
    expect(lines[4]).toMatch(
      /^ {2}2 {2}Architecture {2,}✔ done {2,}design {2,}8 patterns in architecture\.patterns; docs\/adr\/0001-architecture\.md exists; no errors at stage 2$/,
    );
    expect(lines[5]).toMatch(/^ {2}3 {2}Modular components {2,}○ not started {2}generate \(coming\) {2}no \.shipshape\/manifest\.json$/);
    expect(lines[6]).toMatch(
      /^ {2}4 {2}Circuit breakers and orchestration {2}○ not started {2}generate \(coming\) {2}stage 3 is not started \(\+2 more\)$/,
    );
    expect(lines[9]).toMatch(/^ {2}7 {2}Handoff {2,}○ not started {2}runbook \(coming\) {3}no docs\/runbook\.md \(\+1 more\)$/);
    // The columns line up: every row's State starts where the header's does.
    const stateColumn = lines[2]!.indexOf('State');
    for (const row of lines.slice(3, 11)) expect(row.slice(stateColumn)).toMatch(/^[✔○◐] /);
    expect(out).toContain('\nComing in a later release:\n');
    expect(out).toContain(
      '\n  3  shipshape generate will leave a project skeleton from a template pack: pipeline, serving, orchestration and monitoring as separate modules. Done when: .shipshape/manifest.json exists and was generated from the spec as it is now (same spec hash), every managed file it lists still has its recorded sha256, and every seeded or merged file is still there.\n',
    );
    expect(out).toContain('\n  8  shipshape review will leave ');
    expect(out).not.toContain('\n  2  shipshape design will leave');
    expect(out.endsWith('\n2 of 8 stages done.\nNext: shipshape generate (coming)\n')).toBe(true);
  });

  it('colours only the state cell, by state, and shows why a manual step is next', async () => {
    const dir = projectAt(1, stageOneText.replace('p95Ms: 1200', 'p95Ms: -5'));
    const out = formatStatus(await status(dir, CLI_COMMANDS), tagged);
    expect(out.split('\n')[0]).toBe(`<bold>shipshape status</bold> ${join(dir, 'shipshape.yaml')}`);
    expect(out).toMatch(/\n {2}1 {2}Requirements {2,}<yellow>◐ in progress<\/yellow> {2}init {2,}1 error at stage 1, first: /);
    expect(out).toMatch(/\n {2}2 {2}Architecture {2,}<dim>○ not started<\/dim> {2}design/);
    expect(out).toContain('\n0 of 8 stages done.\n<bold>Next: shipshape check --stage 1</bold> (fix the errors in shipshape.yaml)\n');
  });

  it('all done: every state green, no coming section, and the closing line', async () => {
    const out = formatStatus(await status(projectAt(8), CLI_COMMANDS), tagged);
    expect(out.match(/<green>✔ done<\/green>/g)).toHaveLength(8);
    expect(out).not.toContain('Coming in a later release');
    expect(out).not.toContain('Next:');
    expect(out.endsWith('\n8 of 8 stages done.\n<green>All eight stages are done.</green>\n')).toBe(true);
  });

  it('without a spec, says so in the header', async () => {
    const dir = tempDir();
    const out = formatStatus(await status(dir, CLI_COMMANDS), plainPaint);
    expect(out.split('\n')[0]).toBe(`shipshape status ${dir}: no spec yet`);
    expect(out).toMatch(/\n {2}1 {2}Requirements {2,}○ not started {2}init {2,}no shipshape\.yaml in /);
    expect(out.endsWith('\n0 of 8 stages done.\nNext: shipshape init\n')).toBe(true);
  });
});
