// The deploy part of `npm run bench`: the weighted proxy's added p50 latency at 500 requests per
// second (the same load straight to a version, then through the proxy), and the drill's time
// from the first bad request to all traffic back on blue (target: under one analysis interval
// plus 1 s). Runs the built CLI and the built proxy on the deploy test fixture.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin', 'run.js');
const fixture = join(root, 'test', 'fixtures', 'deploy', 'service');

/** The p50 of a load at `rps` for `ms` against `url`, with the CLI's own load module. */
async function p50(runLoad, url, rps, ms) {
  const { results } = await runLoad({ url, rps, durationMs: ms, method: 'GET', path: '/' });
  const sorted = results.map((r) => r.latencyMs).sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length / 2)], failed: results.filter((r) => !r.ok).length, sent: results.length };
}

/** An upstream and the proxy in front of it, in a process of their own: the load's loop does not share their event loop. */
const SERVER = `
import { createServer } from 'node:http';
const { startProxy } = await import(process.argv[1]);
const upstream = createServer((req, res) => res.end('ok'));
await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const direct = 'http://127.0.0.1:' + upstream.address().port;
const proxy = await startProxy();
proxy.setUpstream('blue', direct);
process.stdout.write(JSON.stringify({ direct, proxied: proxy.url }) + '\\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
`;

export async function benchDeploy() {
  const rows = [];
  const entry = join(root, 'dist', 'deploy', 'bench-entry.js');
  const { runLoad } = await import(entry);
  const server = spawn(process.execPath, ['--input-type=module', '-e', SERVER, entry], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const urls = await new Promise((resolve, reject) => {
      server.stdout.once('data', (chunk) => resolve(JSON.parse(chunk.toString())));
      server.once('exit', (code) => reject(new Error(`the bench server exited with ${code}`)));
    });
    await p50(runLoad, urls.direct, 500, 1000); // warm both paths
    await p50(runLoad, urls.proxied, 500, 1000);
    const straight = await p50(runLoad, urls.direct, 500, 5000);
    const proxied = await p50(runLoad, urls.proxied, 500, 5000);
    const added = proxied.p50 - straight.p50;
    rows.push([
      'deploy proxy: added p50 at 500 rps',
      `${added.toFixed(3)} ms`,
      `${straight.p50.toFixed(3)} -> ${proxied.p50.toFixed(3)} ms`,
      added < 1 ? 'ok (target < 1 ms)' : 'OVER (target < 1 ms)',
    ]);
  } finally {
    server.stdin.end();
    server.kill();
  }

  const dir = mkdtempSync(join(tmpdir(), 'shipshape-bench-drill-'));
  try {
    cpSync(fixture, dir, { recursive: true });
    const env = { ...process.env, CI: 'true' };
    delete env.NODE_EXTRA_CA_CERTS;
    const cli = (args) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, env, encoding: 'utf8' });
    cli(['deploy', '--skip-validation', '--load', '100', '--version', 'v1']);
    const drill = cli([
      'deploy',
      '--skip-validation',
      '--drill',
      '--drill-error-rate',
      '1',
      '--load',
      '100',
      '--version',
      'drill',
      '--json',
    ]);
    const report = JSON.parse(drill.stdout).drill;
    const interval = Number(/intervalSeconds: (\d+)/.exec(readFileSync(join(dir, 'shipshape.yaml'), 'utf8'))[1]);
    const target = interval + 1;
    rows.push([
      'deploy --drill: first bad request to all on blue',
      `${report.secondsToBlue} s`,
      `detected after ${report.secondsToDetection} s, ${report.failedRequests} failed`,
      report.passed && report.secondsToBlue < target ? `ok (target < ${target} s)` : `OVER (target < ${target} s)`,
    ]);
  } finally {
    // The local service outlives deploy: stop it before its folder goes.
    spawnSync(process.execPath, [bin, 'deploy', 'stop'], { cwd: dir, env: { ...process.env, CI: 'true' }, encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
