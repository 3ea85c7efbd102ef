// The extract pipeline: the schema check, what a violation does (task.extract.onViolation), the pattern tier, the
// LLM's protocol, and the service's answer in the contract shape, against the project's own schema.
import { describe, expect, it } from 'vitest';
import { taskOf, type Config } from '../src/config/index.js';
import { sample } from '../src/dev/task-sample.js';
import { extractProtocol } from '../src/extract/llm.js';
import { loadSchema } from '../src/extract/schema.js';
import { BusinessMetrics } from '../src/monitoring/business.js';
import { OutputChecks } from '../src/monitoring/checks.js';
import { createMetrics } from '../src/monitoring/metrics.js';
import { Router } from '../src/orchestration/router.js';
import { TierError, type ModelTier } from '../src/serving/tier.js';
import { checkStatic, createTaskTiers, outputSchema, predictResponseSchema, withChecks } from '../src/task/extract.js';
import { projectConfig, servicePerTest } from './support/service.js';

const baseConfig = (): Config => projectConfig();

describe('the schema', () => {
  it("loads the project's schema (task.extract.schema) and says why a value violates it", () => {
    const schema = outputSchema(baseConfig().task);
    expect(schema.problem('not an object')).toMatch(/must be object/);
    expect(() => loadSchema('/nonexistent/schema.json')).toThrow(/cannot be read/);
  });

  it('the static fallback must be valid against it', () => {
    const config = baseConfig();
    expect(checkStatic({ surely: 'not valid', total: 'x' }, config)).toMatch(/not valid against task.extract.schema/);
    const fields = config.resilience.fallback?.static?.fields;
    if (fields) expect(checkStatic(fields, config)).toBeUndefined();
  });
});

/** A tier that answers `outputs` in turn. */
function scripted(name: string, outputs: Record<string, unknown>[]): ModelTier & { calls: number } {
  const tier = {
    name,
    kind: 'http' as const,
    model: name,
    costPerRequestUsd: 0,
    calls: 0,
    async predict() {
      const output = outputs[Math.min(tier.calls, outputs.length - 1)]!;
      tier.calls++;
      return { label: 'extracted', confidence: 1, reply: null, output };
    },
  };
  return tier;
}

describe('a schema violation', () => {
  const valid = () => sample({}).body.text;
  const onViolation = (action: 'retry' | 'escalate' | 'fallback'): Config => {
    const config = baseConfig();
    return { ...config, task: { ...taskOf(config, 'extract'), onViolation: action } };
  };

  it('is a bad output: an invalid-output failure, counted by the schema check', async () => {
    const config = onViolation('escalate');
    const checks = new OutputChecks();
    const metrics = createMetrics(config, { defaultMetrics: false });
    checks.attach(metrics, new BusinessMetrics(metrics, config.businessAggregations));
    const tier = withChecks(scripted('one', [{ total: 'a lot' }]), config, checks);
    const failure = await tier.predict(valid(), new AbortController().signal).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TierError);
    expect((failure as TierError).failure).toBe('invalid-output');
    expect((failure as TierError).message).toMatch(/violates the schema/);
    expect(await metrics.registry.getSingleMetricAsString('ai_output_checks_total')).toMatch(/check="schema",tier="one",outcome="fail"/);
  });

  it('retry asks the same tier again; escalate the next; fallback neither', async () => {
    const good = (await createTaskTiers(baseConfig(), new OutputChecks())[0]!.predict(valid(), new AbortController().signal)).output!;
    for (const [action, expected] of [
      ['retry', { firstCalls: 2, secondCalls: 0 }],
      ['escalate', { firstCalls: 1, secondCalls: 1 }],
      ['fallback', { firstCalls: 1, secondCalls: 0 }],
    ] as const) {
      const config = onViolation(action);
      const first = scripted('one', [{ total: 'a lot' }, good]);
      const second = scripted('two', [good]);
      // Wrapped with the task's checks, as the service wraps its own tiers.
      const router = new Router(
        [withChecks(first, config, new OutputChecks()), withChecks(second, config, new OutputChecks())],
        {
          ...config,
          tiers: [
            { name: 'one', kind: 'http', model: 'one', timeoutMs: 1000, costPerRequestUsd: 0 },
            { name: 'two', kind: 'http', model: 'two', timeoutMs: 1000, costPerRequestUsd: 0 },
          ],
          routing: { strategy: 'cascade' },
        },
        createMetrics(config, { defaultMetrics: false }),
      );
      const answer = await router.route(valid()).catch((error: unknown) => error);
      expect({ action, firstCalls: first.calls, secondCalls: second.calls }).toEqual({ action, ...expected });
      if (action === 'fallback') expect((answer as { fallback?: string }).fallback ?? 'failed').not.toBe('none');
    }
  });

  it('the LLM is shown the schema and its JSON object is the output', () => {
    const protocol = extractProtocol(outputSchema(baseConfig().task));
    expect(protocol.systemPrompt).toMatch(/^Task: extract$/m);
    expect(protocol.systemPrompt).toMatch(/^Schema: \{/m);
    expect(protocol.parse({ a: 1 }, undefined).output).toEqual({ a: 1 });
    expect(() => protocol.parse([1], undefined)).toThrow(/not a JSON object/);
  });
});

describe('the service', () => {
  const serve = servicePerTest();

  it('answers a document with an object valid against the schema, in the contract shape, and counts schema_valid_rate', async () => {
    const service = await serve();
    const request = sample({});
    const { status, body } = await service.ask(request.body);
    expect(status).toBe(200);
    expect(predictResponseSchema.parse(body).degraded).toBe(false);
    expect(request.check(body)).toBeUndefined();
    expect(await service.metrics()).toMatch(/ai_output_checks_total\{check="schema",tier="[^"]+",outcome="pass"/);
  });
});
