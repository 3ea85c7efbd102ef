// The soak of issue 15, as a test of behaviour: a mixed load (the spec's share of it escalated to the http tier) on
// the real service over real HTTP, its http tier's upstream (the dev fake) hung, then recovered. It shows the breaker
// opening, every escalated request met while it is open kept off the hung upstream and answered by the fallback, no
// answer but a 200 or a 503 with Retry-After, and the breaker closing after the recovery so that the tier answers again.
//
// Each phase ends on what the service did, counted in requests, not on seconds: on a busy machine the same story takes
// longer, on a quiet one a few seconds. The soak at ten times the peak for tens of seconds, with its timing (the
// breaker open within breakerOpensWithinSeconds, p95 within the SLO, closed within recoversWithinSeconds), is the
// example's `overload-soak` scenario, which `shipshape validate` runs against a running build.
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { envVariable, loadConfig, taskOf } from '../src/config/index.js';
import { spec } from '../src/config/spec.js';
import { startFakeLlm, type FakeLlm } from '../src/dev/fake-llm.js';
import { OutputChecks } from '../src/monitoring/checks.js';
import { createMetrics } from '../src/monitoring/metrics.js';
import { loadExamples } from '../src/serving/examples.js';
import { createTaskTiers } from '../src/task/classify.js';
import { percentile } from './support/expectations.js';
import { breakerTransitions, loadClient, pace, type Answer } from './support/load.js';
import { textReaching } from './support/scenario.js';

/** The rate of the load: ten times the spec's peak, at most SOAK_RPS (the load shares its process with the service). */
const MAX_RPS = Number(process.env['SOAK_RPS'] ?? 60);
/** The breaker half-opens after this, not the spec's halfOpenAfterSeconds (real time, which validate waits for). */
const HALF_OPEN_SECONDS = Number(process.env['SOAK_HALF_OPEN_SECONDS'] ?? 0.5);
/** Escalated requests sent while the breaker is open, and once it has closed again (half as many before the hang). */
const ESCALATED_PER_PHASE = Number(process.env['SOAK_ESCALATED'] ?? 20);
/** A phase that has not seen what it waits for in this long fails the test: generous, for a starved machine. */
const PHASE_LIMIT_SECONDS = 30;

const tierIndex = spec.models.tiers.findIndex((tier) => tier.kind === 'http');
const target = spec.models.tiers[tierIndex];
const breaker = spec.resilience.circuitBreaker;

interface Result extends Answer {
  escalated: boolean;
  phase: 'before' | 'hung' | 'open' | 'recovered' | 'closed';
}

describe('soak: ten times the peak load, the upstream hung then recovered', () => {
  it.skipIf(!target || !breaker)(
    `${target?.name ?? '(no http tier)'} hung until its breaker has opened, then recovered until it has closed`,
    async () => {
      const peakRps = spec.business.expectedLoad?.peakRps ?? 40;
      const rps = Math.min(10 * peakRps, MAX_RPS);
      const escalationRate = spec.models.routing?.expectedEscalationRate ?? 0.35;

      const fakes: FakeLlm[] = [];
      const client = loadClient();
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
            circuitBreaker: { ...breaker!, halfOpenAfterSeconds: Math.min(breaker!.halfOpenAfterSeconds, HALF_OPEN_SECONDS) },
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

        const transitions = breakerTransitions(metrics, target!.name);
        /** The tries of the http tier its breaker refused (ai_tier_calls_total{outcome="breaker-open"}). */
        const refused = async () =>
          (await metrics.tierCalls.get()).values.find((v) => v.labels['tier'] === target!.name && v.labels['outcome'] === 'breaker-open')
            ?.value ?? 0;
        const answers: Promise<Result>[] = [];
        let sent = 0;
        let phase: Result['phase'] = 'before';
        let escalatedInPhase = 0;
        const send = () => {
          // A deterministic share reaches the http tier, as the spec expects of its cascade; without a cascade, every
          // request does ("escalated" below: sent to the http tier).
          const escalated = !cascade || (sent * escalationRate) % 1 < escalationRate;
          sent++;
          if (escalated) escalatedInPhase++;
          const sentIn = phase;
          answers.push(client.post(url, escalated ? hard : plain).then((answer) => ({ ...answer, escalated, phase: sentIn })));
        };
        /**
         * Loads until `until` holds and `escalated` escalated requests were sent in the phase; false when the limit came
         * first, or an earlier phase failed (the story stops there).
         */
        let failed = false;
        const load = async (next: Result['phase'], until: (counts: Awaited<ReturnType<typeof transitions>>) => boolean, escalated = 0) => {
          if (failed) return false;
          phase = next;
          escalatedInPhase = 0;
          const started = performance.now();
          let met = false;
          await pace(
            rps,
            async () => {
              met = until(await transitions()) && escalatedInPhase >= escalated;
              return !met && performance.now() - started < PHASE_LIMIT_SECONDS * 1000;
            },
            send,
          );
          failed = !met;
          return met;
        };
        const before = await transitions();
        const steps: Record<string, boolean> = {};
        steps['before'] = await load('before', () => true, ESCALATED_PER_PHASE / 2);
        upstream!.setFault({ type: 'timeout', rate: 1 });
        // Hung until the breaker has opened; then on, until enough escalated requests have met it open (or probing).
        steps['opened'] = await load('hung', (counts) => counts.open > before.open);
        const callsWhenOpened = upstream!.requests;
        const opened = await transitions();
        const refusedWhenOpened = await refused();
        steps['open'] = await load('open', () => true, ESCALATED_PER_PHASE);
        const callsWhileOpen = upstream!.requests - callsWhenOpened;
        const refusedWhileOpen = (await refused()) - refusedWhenOpened;
        const probes = (await transitions()).halfOpen - opened.halfOpen;
        // Recovered: until a probe has closed the breaker, then until enough escalated requests met it closed.
        upstream!.setFault(null);
        const recovered = await transitions();
        steps['closed'] = await load('recovered', (counts) => counts.closed > recovered.closed);
        steps['after'] = await load('closed', () => true, ESCALATED_PER_PHASE);
        const results = await Promise.all(answers);
        const after = await transitions();

        const answered = results.filter((r) => r.status === 200);
        const shed = results.filter((r) => r.status === 503);
        const figures = {
          rps,
          requests: results.length,
          answered: answered.length,
          shed: shed.length,
          degraded: answered.filter((r) => r.headers['x-fallback'] !== 'none').length,
          p95AnsweredMs: Math.round(
            percentile(
              answered.map((r) => r.ms),
              0.95,
            ),
          ),
          escalatedByPhase: Object.fromEntries(
            (['before', 'hung', 'open', 'recovered', 'closed'] as const).map((p) => [
              p,
              results.filter((r) => r.escalated && r.phase === p).length,
            ]),
          ),
          upstreamCallsWhileOpen: callsWhileOpen,
          refusedWhileOpen,
          probesWhileOpen: probes,
          transitions: { open: after.open - before.open, halfOpen: after.halfOpen - before.halfOpen, closed: after.closed - before.closed },
          steps,
          clientErrors: Object.fromEntries(
            [...new Set(results.flatMap((r) => (r.error ? [r.error] : [])))].map((code) => [
              code,
              results.filter((r) => r.error === code).length,
            ]),
          ),
        };
        console.log(`soak: ${JSON.stringify(figures)}`);

        // Each phase saw what it waited for: the breaker opened on the hang, and closed again after the recovery.
        expect(steps, JSON.stringify(figures)).toEqual({ before: true, opened: true, open: true, closed: true, after: true });
        // Every request has an answer, or a refusal with a time to come back. No response at all (a connection error
        // of the client, on a machine so busy that a burst of connections waits for seconds) is tolerated for at most
        // 2% of the requests, and shown in the figures.
        expect(
          results.filter((r) => r.status !== 200 && r.status !== 503 && r.status !== 0),
          JSON.stringify(figures),
        ).toEqual([]);
        expect(results.filter((r) => r.status === 0).length, JSON.stringify(figures)).toBeLessThanOrEqual(
          Math.floor(results.length * 0.02),
        );
        expect(shed.every((r) => r.headers['retry-after'] !== undefined)).toBe(true);
        // While open, the breaker kept the escalated load off the hung upstream: it refused their tries at once, where
        // without it each would have gone there (and waited on it). Counted by the service as each is refused: those of
        // the last requests of the phase may come after the count, and a probe goes through (one each time it
        // half-opens). Tries it let through before it opened may still reach the upstream from the bulkhead's queue:
        // the upstream's own count while open is shown in the figures.
        const whileOpen = results.filter((r) => r.escalated && r.phase === 'open');
        expect(whileOpen.length).toBeGreaterThanOrEqual(ESCALATED_PER_PHASE);
        expect(refusedWhileOpen, JSON.stringify(figures)).toBeGreaterThanOrEqual(whileOpen.length / 2);
        // ... and they were answered, most of them by the fallback (the rest by a try that was let through).
        expect(whileOpen.filter((r) => r.status !== 200).length, JSON.stringify(figures)).toBe(0);
        expect(whileOpen.filter((r) => r.headers['x-fallback'] !== 'none').length, JSON.stringify(figures)).toBeGreaterThanOrEqual(
          whileOpen.length / 2,
        );
        // After the recovery the tier answers again.
        const closed = results.filter((r) => r.escalated && r.phase === 'closed');
        expect(
          closed.some((r) => r.status === 200 && r.headers['x-model-tier'] === target!.name && r.headers['x-fallback'] === 'none'),
        ).toBe(true);
      } finally {
        client.close();
        await app?.close(0);
        await Promise.all(fakes.map((fake) => fake.close()));
      }
    },
    240_000,
  );
});
