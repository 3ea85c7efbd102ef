// The soak of issue 15: ten times the spec's peak load (business.expectedLoad.peakRps) on the real
// service over real HTTP, its http tier's upstream (the dev fake) hung, then recovered. It shows
// the breaker opening within the spec's breakerOpensWithinSeconds, load shed with 503 rather than
// queued past the deadline, and the breaker closing after the recovery.
//
// Compressed for `npm test`: at most 60 rps (SOAK_RPS), the hang lasts SOAK_HANG_SECONDS (3) and
// the breaker half-opens after SOAK_HALF_OPEN_SECONDS (2) instead of the spec's
// halfOpenAfterSeconds, and the assertions hold on a busy machine (no latency limits: the
// figures are printed). At full length, with the timed bounds, on a quiet machine:
//   SOAK_STRICT=1 SOAK_HANG_SECONDS=30 SOAK_HALF_OPEN_SECONDS=0 npx vitest run test/soak.test.ts
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { envVariable, loadConfig, taskOf } from '../src/config/index.js';
import { spec } from '../src/config/spec.js';
import { startFakeLlm, type FakeLlm } from '../src/dev/fake-llm.js';
import { OutputChecks } from '../src/monitoring/checks.js';
import { createMetrics } from '../src/monitoring/metrics.js';
import type { BreakerStateName } from '../src/monitoring/metrics.js';
import { loadExamples } from '../src/serving/examples.js';
import { createTaskTiers } from '../src/task/classify.js';
import { percentile } from './support/expectations.js';
import { textReaching } from './support/scenario.js';

const HANG_SECONDS = Number(process.env['SOAK_HANG_SECONDS'] ?? 3);
const HALF_OPEN_SECONDS = Number(process.env['SOAK_HALF_OPEN_SECONDS'] ?? 2);
/** SOAK_STRICT=1: also hold the timed bounds (the breaker open within breakerOpensWithinSeconds, p95 within the SLO, closed within 10 s of the recovery), for a quiet machine. */
const STRICT = process.env['SOAK_STRICT'] === '1';
/** The bound: the breaker closed within this of the upstream's recovery. */
const CLOSES_WITHIN_SECONDS = 10;

const tierIndex = spec.models.tiers.findIndex((tier) => tier.kind === 'http');
const target = spec.models.tiers[tierIndex];
const breaker = spec.resilience.circuitBreaker;

interface Result {
  sentAt: number;
  status: number;
  ms: number;
  escalated: boolean;
  tier: string | null;
  fallback: string | null;
  retryAfter: string | null;
}

describe('soak: ten times the peak load, the upstream hung then recovered', () => {
  it.skipIf(!target || !breaker)(
    `${target?.name ?? '(no http tier)'} hung for ${HANG_SECONDS} s`,
    async () => {
      const peakRps = spec.business.expectedLoad?.peakRps ?? 40;
      // Ten times the peak with SOAK_STRICT; in `npm test`, at most 60 rps: the load shares a busy machine with the service.
      const rps = Number(process.env['SOAK_RPS'] ?? (STRICT ? 10 * peakRps : Math.min(10 * peakRps, 60)));
      const opensWithin =
        spec.scenarios.find((s) => s.fault?.target === target!.name && s.expect.breakerOpensWithinSeconds !== undefined)?.expect
          .breakerOpensWithinSeconds ?? 5;
      const escalationRate = spec.models.routing?.expectedEscalationRate ?? 0.35;

      const fakes: FakeLlm[] = [];
      const agents: Agent[] = [];
      let app: App | undefined;
      try {
        const env: NodeJS.ProcessEnv = {};
        let upstream: FakeLlm | undefined;
        for (const tier of spec.models.tiers) {
          if (tier.kind !== 'http') continue;
          const fake = await startFakeLlm({ seed: 3 });
          fakes.push(fake);
          if (tier.name === target!.name) upstream = fake;
          const endpoint = envVariable(tier.endpoint);
          const key = envVariable(tier.apiKey);
          if (endpoint) env[endpoint] = fake.url;
          if (key) env[key] = 'soak-test-key';
        }
        const loaded = loadConfig(env, spec);
        const config = {
          ...loaded,
          port: 0,
          host: '127.0.0.1',
          logLevel: 'silent',
          predictionLogSampleRate: 0,
          resilience: {
            ...loaded.resilience,
            circuitBreaker: {
              ...breaker!,
              halfOpenAfterSeconds: HALF_OPEN_SECONDS > 0 ? HALF_OPEN_SECONDS : breaker!.halfOpenAfterSeconds,
            },
          },
        };
        const metrics = createMetrics(config, { defaultMetrics: false });
        app = createApp({ config, tiers: createTaskTiers(config, new OutputChecks()), metrics });
        const { port } = (await app.listen(0, '127.0.0.1')) as AddressInfo;
        const url = `http://127.0.0.1:${port}/v1/predict`;
        // Plain requests: a labelled example, which the first tier answers with confidence. Hard ones reach the http
        // tier: unlike every example where the cascade escalates on confidence (cheap for the local tier), else as the
        // scenarios make them.
        const examples = loadExamples(taskOf(config, 'classify').examplesFile);
        const cascade = tierIndex > 0 && config.routing.strategy === 'cascade';
        const plain = JSON.stringify({ text: cascade ? examples[0]!.text : textReaching(spec, 0) });
        const hard = JSON.stringify({
          text:
            cascade && config.routing.confidenceBelow !== undefined
              ? 'zxq vlorp quandle mirth blenk snood fimble'
              : textReaching(spec, tierIndex),
        });

        // The breaker's states as they change, with when.
        const running = app;
        const states: { state: BreakerStateName; at: number }[] = [];
        const watch = setInterval(() => {
          const state = running.router.breakerStates()[target!.name];
          if (state && state !== states.at(-1)?.state) states.push({ state, at: performance.now() });
        }, 10);

        const results: Result[] = [];
        /** Client-side errors (no response), by code. */
        const errors = new Map<string, number>();
        const calls: Promise<void>[] = [];
        // node:http with kept-alive connections: fetch costs several times the CPU per request, and
        // the load shares the process with the service.
        const agent = new Agent({ keepAlive: true, maxSockets: 256 });
        agents.push(agent);
        const send = (escalated: boolean) => {
          const sentAt = performance.now();
          const body = escalated ? hard : plain;
          calls.push(
            new Promise<void>((resolve) => {
              const done = (status: number, headers: Record<string, string | string[] | undefined> = {}) => {
                const header = (name: string) => (typeof headers[name] === 'string' ? headers[name] : null);
                results.push({
                  sentAt,
                  status,
                  ms: performance.now() - sentAt,
                  escalated,
                  tier: header('x-model-tier'),
                  fallback: header('x-fallback'),
                  retryAfter: header('retry-after'),
                });
                resolve();
              };
              const req = request(
                url,
                {
                  method: 'POST',
                  agent,
                  timeout: 60_000,
                  headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
                },
                (res) => {
                  res.resume();
                  res.on('end', () => done(res.statusCode ?? 0, res.headers));
                  res.on('error', () => done(0));
                },
              );
              req.on('timeout', () => req.destroy());
              req.on('error', (error: NodeJS.ErrnoException) => {
                errors.set(error.code ?? error.message, (errors.get(error.code ?? error.message) ?? 0) + 1);
                done(0);
              });
              req.end(body);
            }),
          );
        };
        /** Sends at `rps` for `seconds`, on a 10 ms tick: a timer per request would drift under load. */
        let sent = 0;
        const load = async (seconds: number, until: () => boolean = () => false) => {
          const started = performance.now();
          const first = sent;
          while (performance.now() - started < seconds * 1000 && !until()) {
            const due = Math.floor(((performance.now() - started) / 1000) * rps);
            // A deterministic share reaches the http tier, as the spec expects of its cascade.
            for (; sent - first < due; sent++) send((sent * escalationRate) % 1 < escalationRate);
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        };

        await load(1);
        const hungAt = performance.now();
        const callsBefore = upstream!.requests;
        upstream!.setFault({ type: 'timeout', rate: 1 });
        await load(HANG_SECONDS);
        const recoveredAt = performance.now();
        const callsDuringHang = upstream!.requests - callsBefore;
        upstream!.setFault(null);
        // Until the breaker has closed (a probe after the last reopening), for at most a minute; then two seconds more.
        const closedAgain = () => states.some((s) => s.state === 'closed' && s.at >= recoveredAt);
        await load(60, closedAgain);
        await load(2);
        await Promise.all(calls);
        clearInterval(watch);

        const opened = states.find((s) => s.state === 'open' && s.at >= hungAt);
        const closed = states.find((s) => s.state === 'closed' && s.at >= recoveredAt);
        const answered = results.filter((r) => r.status === 200);
        const shed = results.filter((r) => r.status === 503);
        const duringHang = results.filter((r) => r.escalated && r.sentAt >= hungAt && r.sentAt < recoveredAt);
        const figures = {
          rps,
          requests: results.length,
          answered: answered.length,
          shed: shed.length,
          degraded: answered.filter((r) => r.fallback !== 'none').length,
          p95AnsweredMs: Math.round(
            percentile(
              answered.map((r) => r.ms),
              0.95,
            ),
          ),
          p99AnsweredMs: Math.round(
            percentile(
              answered.map((r) => r.ms),
              0.99,
            ),
          ),
          sloP95Ms: spec.slo.latency.p95Ms,
          breakerOpenedAfterSeconds: opened ? (opened.at - hungAt) / 1000 : null,
          breakerClosedAfterRecoverySeconds: closed ? (closed.at - recoveredAt) / 1000 : null,
          escalatedDuringHang: duringHang.length,
          upstreamCallsDuringHang: callsDuringHang,
          states: states.map((s) => s.state).join(' > '),
          clientErrors: Object.fromEntries(errors),
        };
        console.log(`soak: ${JSON.stringify(figures)}`);

        // Every request has an answer, or a refusal with a time to come back. No response at all (a
        // connection error of the client, on a machine so busy that a burst of connections waits
        // for seconds) is tolerated for at most 2% of the requests, and shown in the figures.
        expect(
          results.filter((r) => r.status !== 200 && r.status !== 503 && r.status !== 0),
          JSON.stringify(figures),
        ).toEqual([]);
        expect(results.filter((r) => r.status === 0).length, JSON.stringify(figures)).toBeLessThanOrEqual(
          STRICT ? 0 : Math.floor(results.length * 0.02),
        );
        expect(shed.every((r) => r.retryAfter !== null)).toBe(true);
        // The breaker opened within the spec's bound, and closed once the upstream was back.
        expect(opened, JSON.stringify(figures)).toBeDefined();
        expect(closed, JSON.stringify(figures)).toBeDefined();
        if (STRICT) {
          expect(figures.breakerOpenedAfterSeconds!).toBeLessThanOrEqual(opensWithin);
          // Timed: a probe that a starved process cannot complete in the tier's timeout reopens the breaker.
          expect(figures.breakerClosedAfterRecoverySeconds!).toBeLessThanOrEqual(CLOSES_WITHIN_SECONDS);
          expect(figures.p95AnsweredMs).toBeLessThanOrEqual(spec.slo.latency.p95Ms);
        }
        // The open breaker kept the load off the hung upstream: under half the tries the escalated requests would have made.
        const attempts = spec.resilience.retry?.maxAttempts ?? 1;
        expect(callsDuringHang, JSON.stringify(figures)).toBeLessThan((duringHang.length * attempts) / 2);
        // After the recovery the tier answers again.
        // After the recovery the tier answers again (the probe that closed the breaker, at least).
        const recovered = results.filter((r) => r.status === 200 && r.sentAt + r.ms >= recoveredAt);
        expect(recovered.some((r) => r.tier === target!.name && r.fallback === 'none')).toBe(true);
      } finally {
        await app?.close(0);
        await Promise.all(fakes.map((fake) => fake.close()));
        for (const agent of agents) agent.destroy();
      }
    },
    180_000,
  );
});
