// `npm run smoke`: starts the built service as a real process (with a fake OpenAI-compatible
// upstream for each http tier, unless its endpoint variable is set), calls every endpoint once,
// stops it with SIGTERM, and says what happened. Exit 0 when everything answered as it should.
//   node dist/dev/smoke.js [--json]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { envVariable } from '../config/index.js';
import { MAX_TEXT_CHARS } from '../pipeline/input.js';
import { spec } from '../config/spec.js';
import { startFakeLlm, type FakeLlm } from './fake-llm.js';
import { sample } from './task-sample.js';

interface Call {
  name: string;
  method: string;
  path: string;
  status: number;
  ok: boolean;
  body: unknown;
  headers?: Record<string, string>;
  problem?: string;
}

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });

async function main(): Promise<number> {
  const fakes: FakeLlm[] = [];
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '5000' };
  for (const tier of spec.models.tiers) {
    if (tier.kind !== 'http') continue;
    const endpoint = envVariable(tier.endpoint);
    if (endpoint && !env[endpoint]) {
      const fake = await startFakeLlm();
      fakes.push(fake);
      env[endpoint] = fake.url;
    }
    const key = envVariable(tier.apiKey);
    if (key && !env[key]) env[key] = 'smoke-test-key';
  }

  const started = performance.now();
  const child = spawn(process.execPath, ['dist/main.js'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const logs: Record<string, unknown>[] = [];
  const listening = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry['msg'] === 'listening') resolve(Number(entry['port']));
      } catch {
        logs.push({ msg: line });
      }
    });
    child.once('exit', (code) => reject(new Error(`the service exited with ${code} before listening`)));
  });
  const port = await listening;
  const startMs = performance.now() - started;
  const base = `http://127.0.0.1:${port}`;

  const calls: Call[] = [];
  const call = async (name: string, method: string, path: string, body?: unknown, expect = 200): Promise<Call> => {
    const response = await fetch(base + path, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // /metrics is text.
    }
    const headers: Record<string, string> = {};
    for (const name of ['x-model-tier', 'x-fallback']) {
      const value = response.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    const result: Call = { name, method, path, status: response.status, ok: response.status === expect, body: parsed, headers };
    if (!result.ok) result.problem = `expected ${expect}, got ${response.status}`;
    calls.push(result);
    return result;
  };

  await call('liveness', 'GET', '/healthz');
  await call('readiness', 'GET', '/readyz');
  await call('version', 'GET', '/version');
  // A real request of the task (src/dev/task-sample.ts): a ticket; a question from the corpus; a document.
  const request = sample();
  const easy = await call('predict', 'POST', '/v1/predict', request.body);
  const wrong = easy.ok ? request.check(easy.body as Record<string, unknown>) : undefined;
  if (wrong !== undefined) {
    easy.ok = false;
    easy.problem = wrong;
  }
  await call('openapi', 'GET', '/openapi.json');
  const longer = spec.models.routing?.escalateWhen?.inputCharsAbove;
  if (spec.models.tiers.length > 1 && longer !== undefined && longer < MAX_TEXT_CHARS) {
    await call('predict (long input)', 'POST', '/v1/predict', {
      text: 'My package never arrived and tracking shows nothing. '.repeat(Math.ceil((longer + 1) / 50)),
    });
  }
  const predictionId = (easy.body as { predictionId?: string }).predictionId;
  const label = (easy.body as { label?: string }).label;
  // A label for a classifier; whether the answer was right for the other tasks.
  if (predictionId) await call('feedback', 'POST', '/v1/feedback', label ? { predictionId, label } : { predictionId, correct: true }, 202);
  await call('bad request', 'POST', '/v1/predict', { nope: true }, 400);
  const metrics = await call('metrics', 'GET', '/metrics');
  const exposition = String(metrics.body);
  const wanted = [
    'ai_requests_total',
    'ai_request_duration_seconds',
    // The business metrics, by name in the metric label.
    'ai_business_metric',
  ];
  // Declared (`# TYPE`): a business gauge has no sample until its first feedback, as no data is not 0.
  const absent = wanted.filter((name) => !exposition.includes(`# TYPE ${name} `));
  if (absent.length > 0) {
    metrics.ok = false;
    metrics.problem = `missing from /metrics: ${absent.join(', ')}`;
  }
  metrics.body = `${exposition.split('\n').length} lines`;

  const stopping = performance.now();
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  const stopMs = performance.now() - stopping;
  await Promise.all(fakes.map((fake) => fake.close()));

  const ok = calls.every((c) => c.ok) && code === 0;
  const report = { ok, startMs: Math.round(startMs), stopMs: Math.round(stopMs), exitCode: code, calls, logLines: logs.length };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`${spec.metadata.name}: started in ${report.startMs} ms\n`);
    for (const c of calls) {
      const tier = c.headers?.['x-model-tier'] ? ` tier=${c.headers['x-model-tier']} fallback=${c.headers['x-fallback']}` : '';
      process.stdout.write(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.method} ${c.path} ${c.status}${tier}${c.problem ? `: ${c.problem}` : ''}\n`);
    }
    process.stdout.write(`  ${code === 0 ? 'ok  ' : 'FAIL'} SIGTERM: exited ${code} in ${report.stopMs} ms\n`);
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`smoke: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
