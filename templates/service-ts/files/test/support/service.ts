// The project's own service in a test: the spec's http tiers pointed at one URL (a fake upstream, or nothing), on a
// free port, with the task's own tiers and output checks, and requests to it.
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { envVariable, loadConfig, type Config } from '../../src/config/index.js';
import { spec } from '../../src/config/spec.js';
import { startFakeLlm, type FakeLlmOptions } from '../../src/dev/fake-llm.js';
import { OutputChecks } from '../../src/monitoring/checks.js';
import { createMetrics } from '../../src/monitoring/metrics.js';
import { createTaskTiers } from '../../src/task/index.js';

/** The environment the spec's http tiers need: each endpoint variable set to `url` (nothing listens there by default), each key variable to a test key. */
export function tierEnv(url = 'http://127.0.0.1:9/v1'): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const tier of spec.models.tiers) {
    const endpoint = envVariable(tier.endpoint);
    if (endpoint) env[endpoint] = url;
    const key = envVariable(tier.apiKey);
    if (key) env[key] = 'test-key';
  }
  return env;
}

/** The project's configuration in a test: its http tiers at `url`, a free port, no logs; `env` adds variables (CORPUS_DIR...). */
export function projectConfig(url?: string, env: NodeJS.ProcessEnv = {}): Config {
  return { ...loadConfig({ ...tierEnv(url), ...env }), port: 0, host: '127.0.0.1', logLevel: 'silent' };
}

export interface TestService {
  app: App;
  /** http://127.0.0.1:<port> */
  url: string;
  /** POST /v1/predict with `body` (a text is sent as {"text": ...}). */
  ask(body: string | Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }>;
  /** GET /metrics, as text. */
  metrics(): Promise<string>;
}

/** The service of `config`, with the task's own tiers and output checks, listening on a free port; close its `app`. */
export async function startService(config: Config): Promise<TestService> {
  const checks = new OutputChecks();
  const metrics = createMetrics(config, { defaultMetrics: false });
  const app = createApp({ config, tiers: createTaskTiers(config, checks), metrics, checks });
  const { port } = (await app.listen(0, '127.0.0.1')) as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    url,
    async ask(body) {
      const response = await fetch(`${url}/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(typeof body === 'string' ? { text: body } : body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
  };
}

/**
 * For a describe block: a function that starts the dev fake (with `fake` options) as every http tier and the
 * service of `configOf(fake's URL)` (the project's configuration by default), both closed after each test.
 */
export function servicePerTest(): (fake?: FakeLlmOptions, configOf?: (url: string) => Config) => Promise<TestService> {
  const running: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of running.splice(0).reverse()) await close();
  });
  return async (fake = {}, configOf = (url) => projectConfig(url)) => {
    const upstream = await startFakeLlm(fake);
    running.push(() => upstream.close());
    const service = await startService(configOf(upstream.url));
    running.push(() => service.app.close(0));
    return service;
  };
}
