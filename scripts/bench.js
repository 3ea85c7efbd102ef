// `npm run bench`: every figure of the start-up and scale targets in one table, from one run.
// - Whole-process timings as ratios to a bare `node -e 0` measured in the same run (runs
//   interleaved, so drift on a shared machine hits every command alike). The code cache lives in a
//   folder of the bench's own, created by the first (file-cache warming) run of each command.
// - `check` of 1,000 specs, a quarter of them with errors; with `--peers`, Spectral
//   (@stoplight/spectral-cli 6, installed into a cache folder outside the repo, never a dependency)
//   on the same 1,000 specs with six comparable rules (RULESET below), side by side.
// - The scaling curve: 1, 100, 1,000 and 10,000 specs, with the time per spec and the max RSS.
// - A first `generate` of the default pack (without its npm install), deploy's proxy and drill,
//   and validate's fault proxy (the p50 it adds at 500 rps, the accuracy of an injected latency).
// - `demo --quick` end to end, with and without its npm install (BENCH_DEMO=skip leaves it out).
// NODE_EXTRA_CA_CERTS is unset: it slows every Node start here.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, loadavg, cpus, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin', 'run.js');
const example = join(root, 'examples', 'support-triage.yaml');
const peers = process.argv.includes('--peers');
const work = mkdtempSync(join(tmpdir(), 'shipshape-bench-'));
const env = { ...process.env, CI: 'true', XDG_CACHE_HOME: join(work, 'xdg-cache') };
delete env.NODE_EXTRA_CA_CERTS;
delete env.SHIPSHAPE_CODE_CACHE;
const runs = Number(process.env.BENCH_RUNS ?? 10);
// GNU time gives a whole process's max RSS (worker threads included); without it, RSS is not shown.
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function timeProcess(command, args, cwd = root, options = {}) {
  const wrapped = gnuTime && options.rss ? [gnuTime, ['-f', '%M', command, ...args]] : [command, args];
  const start = process.hrtime.bigint();
  const result = spawnSync(wrapped[0], wrapped[1], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${String(result.stderr).slice(-2000)}`);
  }
  const rssKb = options.rss && gnuTime ? Number(String(result.stderr).trim().split('\n').pop()) : undefined;
  return { ms, rssMb: rssKb === undefined ? undefined : rssKb / 1024 };
}
const time = (args, cwd) => timeProcess(process.execPath, args, cwd).ms;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ok = (pass, target) => `${pass ? 'ok' : 'OVER'} (target ${target})`;

/**
 * `count` specs under `dir`, one folder each; every fourth has errors: a tier that does not exist
 * (schema) and a per-request budget below the tiers' cost (cost-budget). Spectral's RULESET
 * catches the same two.
 */
function writeSpecs(dir, count) {
  const text = readFileSync(example, 'utf8');
  const broken = text.replace('  tier: 1 ', '  tier: 7 ').replace('costPerRequestUsd: 0.002', 'costPerRequestUsd: 0.0001');
  for (let i = 0; i < count; i++) {
    const folder = join(dir, `svc-${String(i).padStart(5, '0')}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'shipshape.yaml'), i % 4 === 3 ? broken : text);
  }
  return dir;
}

// Six rules Spectral runs with its core functions over the same fields shipshape checks: the
// format, required fields, the tier and availability ranges, a per-request budget that covers the
// paid tier, and each tier's timeout.
const RULESET = `rules:
  api-version:
    given: $
    severity: error
    then: { field: apiVersion, function: pattern, functionOptions: { match: '^shipshape/v1$' } }
  required-sections:
    given: $
    severity: error
    then:
      - { field: metadata, function: truthy }
      - { field: business, function: truthy }
      - { field: slo, function: truthy }
  metadata-tier:
    given: $.metadata
    severity: error
    then: { field: tier, function: enumeration, functionOptions: { values: [1, 2, 3] } }
  slo-availability:
    given: $.slo
    severity: error
    then: { field: availability, function: schema, functionOptions: { schema: { type: number, minimum: 90, maximum: 100 } } }
  budget-covers-paid-tier:
    given: $.business.budget
    severity: error
    then: { field: costPerRequestUsd, function: schema, functionOptions: { schema: { type: number, minimum: 0.001 } } }
  tier-timeouts:
    given: $.models.tiers[*]
    severity: error
    then: { field: timeoutMs, function: schema, functionOptions: { schema: { type: number, exclusiveMinimum: 0, maximum: 60000 } } }
`;

/** Spectral's CLI, installed on first use into the user's cache (never into the repo). */
function spectralBin() {
  const xdg = process.env.XDG_CACHE_HOME;
  const cache = join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'shipshape', 'bench-peers');
  const cli = join(cache, 'node_modules', '@stoplight', 'spectral-cli', 'dist', 'index.js');
  if (!existsSync(cli)) {
    mkdirSync(cache, { recursive: true });
    console.error(`bench: installing @stoplight/spectral-cli@6 into ${cache}`);
    execFileSync('npm', ['install', '--prefix', cache, '--no-save', '--no-audit', '--no-fund', '@stoplight/spectral-cli@6'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const version = JSON.parse(readFileSync(join(cache, 'node_modules', '@stoplight', 'spectral-cli', 'package.json'), 'utf8')).version;
  return { cli, version };
}

/** `demo --quick` timed as a whole process; its rows: the whole run, and the run less its npm install. */
function benchDemo(dir) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [bin, 'demo', '--quick', dir], {
    cwd: root,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`shipshape demo --quick exited ${result.status}: ${String(result.stderr).slice(-2000)}`);
  const install = /install dependencies .* ran in ([\d.]+) s/.exec(readFileSync(join(dir, 'demo.log'), 'utf8'));
  if (!install) throw new Error(`no install task time in ${join(dir, 'demo.log')}`);
  const rest = seconds - Number(install[1]);
  const done = /(\d) of 8 stages done/.exec(`${result.stdout}${result.stderr}`)?.[1] ?? '?';
  return [
    [
      'shipshape demo --quick (all eight stages)',
      `${seconds.toFixed(1)} s`,
      `${done} of 8 stages done`,
      ok(seconds < 180 && done === '8', '< 3 min, 8 of 8 done'),
    ],
    ['the same without its npm install', `${rest.toFixed(1)} s`, `install ${install[1]} s`, ok(rest < 60, '< 60 s')],
  ];
}

try {
  const project = join(work, 'project');
  mkdirSync(project);
  cpSync(example, join(project, 'shipshape.yaml'));
  const rows = [];

  const commands = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'shipshape --help', args: [bin, '--help'], target: 4 },
    { name: 'shipshape check (example spec)', args: [bin, 'check'], cwd: project, target: 4 },
    { name: 'shipshape status (example project)', args: [bin, 'status'], cwd: project, target: 5 },
    { name: 'shipshape design --dry-run', args: [bin, 'design', '--dry-run'], cwd: project, target: 7 },
    { name: 'shipshape generate --dry-run', args: [bin, 'generate', '--dry-run'], cwd: project, target: 7 },
    { name: 'shipshape schema', args: [bin, 'schema'], cwd: project, target: 4 },
    { name: 'shipshape rules', args: [bin, 'rules'], cwd: project, target: 4 },
  ];
  const samples = new Map(commands.map((c) => [c.name, []]));
  for (const c of commands) time(c.args, c.cwd); // warm the file cache and write the code cache
  for (let i = 0; i < runs; i++) {
    for (const c of commands) samples.get(c.name).push(time(c.args, c.cwd));
  }
  const base = median(samples.get('node -e 0'));
  for (const c of commands) {
    const ms = median(samples.get(c.name));
    const ratio = ms / base;
    rows.push([
      c.name,
      `${ms.toFixed(0)} ms`,
      `${ratio.toFixed(2)}x`,
      c.target === undefined ? '' : ok(ratio <= c.target, `<= ${c.target}x`),
    ]);
  }

  // 1,000 specs, a quarter with errors: shipshape, and Spectral beside it with --peers.
  const thousand = writeSpecs(join(work, 'many-1000'), 1000);
  const checkMany = (dir) => timeProcess(process.execPath, [bin, 'check', dir, '--format', 'json'], root, { rss: true });
  checkMany(thousand);
  const manyMs = median([0, 1, 2].map(() => checkMany(thousand).ms));
  if (peers) {
    const { cli, version } = spectralBin();
    const ruleset = join(work, 'spectral.yaml');
    writeFileSync(ruleset, RULESET);
    const spectral = () =>
      timeProcess(
        process.execPath,
        [cli, 'lint', `${thousand}/**/shipshape.yaml`, '--ruleset', ruleset, '--format', 'json', '--quiet'],
        root,
      ).ms;
    spectral();
    const spectralMs = median([0, 1, 2].map(() => spectral()));
    rows.push([`spectral ${version} lint (1,000 specs, 6 rules)`, `${spectralMs.toFixed(0)} ms`, '', '']);
    const ratio = manyMs / spectralMs;
    rows.push([
      'shipshape check (1,000 specs, 25% broken)',
      `${manyMs.toFixed(0)} ms`,
      `${ratio.toFixed(2)}x spectral`,
      ok(ratio <= 0.2, "<= 0.2x Spectral's time"),
    ]);
  } else {
    rows.push(['shipshape check (1,000 specs, 25% broken)', `${manyMs.toFixed(0)} ms`, '', 'run with --peers to compare with Spectral']);
  }

  // The scaling curve: time per spec should stay flat, and memory bounded.
  const curve = [];
  for (const count of [1, 100, 1000, 10000]) {
    const dir = count === 1000 ? thousand : writeSpecs(join(work, `many-${count}`), count);
    checkMany(dir);
    const measured = [0, 1, 2].slice(0, count >= 10000 ? 1 : 3).map(() => checkMany(dir));
    const ms = median(measured.map((m) => m.ms));
    const rss = measured[0].rssMb === undefined ? undefined : Math.max(...measured.map((m) => m.rssMb));
    curve.push({ count, ms, rss });
    rmSync(dir, { recursive: true, force: true });
  }
  for (const { count, ms, rss } of curve) {
    const perSpec = count === 1 ? '' : `${(ms / count).toFixed(2)} ms/spec`;
    const memory = rss === undefined ? 'max RSS n/a' : `max RSS ${rss.toFixed(0)} MB`;
    let verdict = '';
    if (count === 10000) {
      const at1000 = curve.find((point) => point.count === 1000);
      const linear = ms / count <= (1.25 * at1000.ms) / 1000;
      verdict = `${linear ? 'ok' : 'OVER'} (linear: per spec within 1.25x of 1,000's)${rss === undefined ? '' : `, ${rss <= 250 ? 'ok' : 'OVER'} (<= 250 MB)`}`;
    }
    rows.push([
      `shipshape check (${count.toLocaleString('en')} spec${count === 1 ? '' : 's'})`,
      `${ms.toFixed(0)} ms`,
      [perSpec, memory].filter(Boolean).join(', '),
      verdict,
    ]);
  }

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
    ok(generateMs < 500, '< 500 ms'),
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

  // demo --quick end to end in a fresh folder, its npm install included (from npm's cache once warm): the whole run,
  // and the run without the install, from the install task's own time in demo.log. BENCH_DEMO=skip leaves it out.
  if (process.env.BENCH_DEMO !== 'skip') rows.push(...benchDemo(join(work, 'demo')));

  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), ['command', 'median', 'vs node', 'verdict'][i].length));
  const line = (r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(
    `shipshape bench: median of ${runs} runs (many specs: median of 3), node ${process.version}, ${cpus().length} cores, load average ${load}`,
  );
  console.log(line(['command', 'median', 'vs node', 'verdict']));
  for (const r of rows) console.log(line(r));
} finally {
  rmSync(work, { recursive: true, force: true });
}
