// The validate part of `npm run bench`: the p50 that validate's fault proxy adds at 500 requests
// per second, and how closely it keeps an injected latency. The proxy and a bare upstream run in a
// process of their own, the load in this one, so that the load's event loop is not the proxy's
// (in one process the figure measured the sharing: 14.4 ms). The load is validate's own, the one
// generator of src/load/traffic.ts (a steady open-loop stream: one request every 2 ms), which the
// deploy proxy is measured with too.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** The upstream and the proxy in front of it; a line `fault <json>` on stdin sets the proxy's fault (`null` for none). */
const SERVER = `
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
const { startFaultProxy } = await import(process.env.VALIDATE_MODULE);
const upstream = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.end('{"ok":true}'));
});
await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const direct = 'http://127.0.0.1:' + upstream.address().port;
const proxy = await startFaultProxy({ upstream: direct });
process.stdout.write(JSON.stringify({ direct, proxied: proxy.url }) + '\\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.startsWith('fault ')) proxy.setFault(JSON.parse(line.slice(6)));
  process.stdout.write('ok\\n');
}
await proxy.close();
process.exit(0);
`;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

export async function benchValidateProxy() {
  const rows = [];
  const { runLoad: steadyLoad } = await import(join(root, 'dist', 'validate', 'index.js'));
  // The module by its path in the environment, not as argv[1]: the bundle holds the project's fake model, whose CLI
  // starts when argv[1] is the file it is in (it printed "fake-llm: Unexpected argument .../dist/validate/index.js").
  const server = spawn(process.execPath, ['--input-type=module', '-e', SERVER], {
    env: { ...process.env, VALIDATE_MODULE: join(root, 'dist', 'validate', 'index.js') },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = [];
  let waiting;
  let buffered = '';
  server.stdout.on('data', (chunk) => {
    buffered += chunk.toString();
    for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
      lines.push(buffered.slice(0, at));
      buffered = buffered.slice(at + 1);
    }
    if (waiting && lines.length > 0) waiting(lines.shift());
  });
  const nextLine = () =>
    lines.length > 0
      ? Promise.resolve(lines.shift())
      : new Promise((resolve, reject) => {
          waiting = resolve;
          server.once('exit', (code) => reject(new Error(`the bench proxy exited with ${code}`)));
        });
  const setFault = async (fault) => {
    server.stdin.write(`fault ${JSON.stringify(fault)}\n`);
    await nextLine();
  };
  const steady = async (url, rps, ms) => {
    const { results } = await steadyLoad({
      url,
      rps,
      durationMs: ms,
      method: 'POST',
      path: new URL(url).pathname || '/',
      body: '{"text":"hello"}',
    });
    return median(results.filter((r) => r.status === 200).map((r) => r.latencyMs));
  };
  try {
    const urls = JSON.parse(await nextLine());
    await steady(urls.direct, 500, 1000); // warm both paths
    await steady(urls.proxied, 500, 1000);
    const direct = [];
    const proxied = [];
    for (let i = 0; i < 3; i++) {
      direct.push(await steady(urls.direct, 500, 3000));
      proxied.push(await steady(urls.proxied, 500, 3000));
    }
    const added = median(proxied) - median(direct);
    rows.push([
      'validate proxy: added p50 at 500 rps',
      `${added.toFixed(3)} ms`,
      `${median(direct).toFixed(3)} -> ${median(proxied).toFixed(3)} ms`,
      added < 1 ? 'ok (target < 1 ms)' : 'OVER (target < 1 ms)',
    ]);
    const delayMs = 200;
    await setFault({ target: 'bench', type: 'latency', delayMs, rate: 1 });
    const injected = (await steady(urls.proxied, 20, 3000)) - median(direct);
    await setFault(null);
    const error = Math.abs(injected - delayMs);
    const within = Math.max(5, delayMs * 0.05);
    rows.push([
      `validate proxy: injected latency (${delayMs} ms)`,
      `${injected.toFixed(1)} ms`,
      '',
      error <= within ? `ok (within ${within} ms)` : `OVER (within ${within} ms)`,
    ]);
  } finally {
    server.stdin.end();
    server.kill();
  }
  return rows;
}
