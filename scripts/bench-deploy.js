// The deploy part of `npm run bench`: the weighted proxy's added p50 latency at 500 requests per
// second (the same load straight to a version, then through the proxy), and the drill's time
// from the first bad request to all traffic back on blue (target: under one analysis interval
// plus 1 s). Runs the built CLI and the built proxy on the deploy test fixture.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin', 'run.js');
const fixture = join(root, 'test', 'fixtures', 'deploy', 'service');

/** The p50 of a load at `rps` for `ms` against `url`, with the CLI's own load module. */
async function p50(runLoad, url, rps, ms) {
  const { results } = await runLoad({ url, rps, durationMs: ms, method: 'GET', path: '/' });
  const sorted = results.map((r) => r.latencyMs).sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length / 2)], failed: results.filter((r) => !r.ok).length, sent: results.length };
}

export async function benchDeploy() {
  const rows = [];
  const { runLoad, startProxy } = await import(join(root, 'dist', 'deploy', 'bench-entry.js'));
  const upstream = createServer((req, res) => res.end('ok'));
  await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const direct = `http://127.0.0.1:${upstream.address().port}`;
  const proxy = await startProxy();
  proxy.setUpstream('blue', direct);
  try {
    await p50(runLoad, direct, 500, 1000); // warm both paths
    await p50(runLoad, proxy.url, 500, 1000);
    const straight = await p50(runLoad, direct, 500, 5000);
    const proxied = await p50(runLoad, proxy.url, 500, 5000);
    const added = proxied.p50 - straight.p50;
    rows.push([
      'deploy proxy: added p50 at 500 rps',
      `${added.toFixed(3)} ms`,
      `${straight.p50.toFixed(3)} -> ${proxied.p50.toFixed(3)} ms`,
      added < 1 ? 'ok (target < 1 ms)' : 'OVER (target < 1 ms)',
    ]);
  } finally {
    await proxy.close();
    upstream.close();
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
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
