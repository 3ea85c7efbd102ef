// `npm run bench`: whole-process timings as ratios to a bare `node -e 0` measured in the same
// run (runs interleaved, so drift on a shared machine hits every command alike), and one `check`
// call over 1,000 specs, a first `generate` of the default pack (without its npm install), and validate's fault proxy
// (the p50 it adds at 500 rps, the accuracy of an injected latency).
// NODE_EXTRA_CA_CERTS is unset: it slows every Node start here.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin', 'run.js');
const example = join(root, 'examples', 'support-triage.yaml');
const env = { ...process.env, CI: 'true' };
delete env.NODE_EXTRA_CA_CERTS;
const runs = Number(process.env.BENCH_RUNS ?? 10);

function time(args, cwd = root) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return ms;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const work = mkdtempSync(join(tmpdir(), 'shipshape-bench-'));
try {
  const project = join(work, 'project');
  mkdirSync(project);
  cpSync(example, join(project, 'shipshape.yaml'));
  const many = join(work, 'many');
  for (let i = 0; i < 1000; i++) {
    const dir = join(many, `svc-${String(i).padStart(4, '0')}`);
    mkdirSync(dir, { recursive: true });
    cpSync(example, join(dir, 'shipshape.yaml'));
  }

  const commands = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'shipshape --help', args: [bin, '--help'], target: 4 },
    { name: 'shipshape check (example spec)', args: [bin, 'check'], cwd: project, target: 5 },
    { name: 'shipshape status (example project)', args: [bin, 'status'], cwd: project, target: 5 },
  ];
  const samples = new Map(commands.map((c) => [c.name, []]));
  for (const c of commands) time(c.args, c.cwd); // warm the file cache
  for (let i = 0; i < runs; i++) {
    for (const c of commands) samples.get(c.name).push(time(c.args, c.cwd));
  }
  const base = median(samples.get('node -e 0'));
  const rows = commands.map((c) => {
    const ms = median(samples.get(c.name));
    const ratio = ms / base;
    const verdict = c.target === undefined ? '' : ratio <= c.target ? `ok (target <= ${c.target}x)` : `OVER (target <= ${c.target}x)`;
    return [c.name, `${ms.toFixed(0)} ms`, `${ratio.toFixed(2)}x`, verdict];
  });

  const manyRuns = [];
  for (let i = 0; i < 3; i++) manyRuns.push(time([bin, 'check', many, '--format', 'json']));
  const manyMs = median(manyRuns);
  rows.push([
    'shipshape check (1,000 specs, one call)',
    `${manyMs.toFixed(0)} ms`,
    '',
    manyMs < 3000 ? 'ok (target < 3000 ms)' : 'OVER (target < 3000 ms)',
  ]);

  // A first generation each time: a fresh folder per run.
  const generateRuns = [];
  for (let i = 0; i <= runs; i++) {
    const dir = join(work, `generate-${i}`);
    mkdirSync(dir);
    cpSync(example, join(dir, 'shipshape.yaml'));
    const ms = time([bin, 'generate', '--no-tasks'], dir);
    if (i > 0) generateRuns.push(ms); // the first warms the file cache
  }
  const generateMs = median(generateRuns);
  rows.push([
    'shipshape generate (service-ts, --no-tasks)',
    `${generateMs.toFixed(0)} ms`,
    `${(generateMs / base).toFixed(2)}x`,
    generateMs < 500 ? 'ok (target < 500 ms)' : 'OVER (target < 500 ms)',
  ]);

  // The deploy figures: the weighted proxy's overhead and the drill's time to roll back.
  const { benchDeploy } = await import('./bench-deploy.js');
  rows.push(...(await benchDeploy()));

  // The default pack's service at 10x its peak load with its http tier hung, the load in another process than the
  // service (scripts/bench-pack.js). BENCH_PACK=skip leaves it out.
  if (process.env.BENCH_PACK !== 'skip') {
    const { benchPack } = await import('./bench-pack.js');
    rows.push(...(await benchPack()));
  }

  // validate's proxy: the p50 it adds at 500 requests per second, and how closely an injected latency is kept.
  const { benchValidateProxy } = await import('./bench-validate.js');
  rows.push(...(await benchValidateProxy()));

  // The example's scenarios at full length, on a project generated and installed beforehand (its npm install is not
  // the bench's to time): BENCH_VALIDATE_PROJECT=/path/to/project.
  const project5 = process.env.BENCH_VALIDATE_PROJECT;
  if (project5) {
    const ms = time([bin, 'validate', '--json'], project5);
    rows.push(["shipshape validate (the example's scenarios)", `${(ms / 1000).toFixed(1)} s`, '', '']);
  } else {
    rows.push(["shipshape validate (the example's scenarios)", 'skipped', '', 'set BENCH_VALIDATE_PROJECT to a generated project']);
  }

  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), ['command', 'median', 'vs node', 'verdict'][i].length));
  const line = (r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  console.log(`shipshape bench: median of ${runs} runs (1,000-spec check: median of 3), node ${process.version}`);
  console.log(line(['command', 'median', 'vs node', 'verdict']));
  for (const r of rows) console.log(line(r));
} finally {
  rmSync(work, { recursive: true, force: true });
}
