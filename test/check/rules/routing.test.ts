import { describe, expect, it } from 'vitest';
import { routing } from '../../../src/check/rules/routing.js';
import { errors, example, run, stageOneExample } from './helpers.js';

describe('routing', () => {
  it('passes the reference example, and a spec without models', () => {
    expect(run(routing, example())).toEqual([]);
    expect(run(routing, stageOneExample())).toEqual([]);
  });

  it('fails an http tier without an endpoint, suggesting an environment reference', () => {
    const spec = example();
    delete spec.models!.tiers[1]!.endpoint;
    const [report, ...rest] = run(routing, spec);
    expect(rest).toEqual([]);
    expect(report!.path).toEqual(['models', 'tiers', 1]);
    expect(report).toMatchObject({ messageId: 'noEndpoint', data: { tier: 'strong' } });
    expect(report!.hint).toContain('endpoint: ${STRONG_URL}');
  });

  it('fails a cascade of one tier', () => {
    const spec = example();
    spec.models!.tiers.pop();
    const [report, ...rest] = run(routing, spec);
    expect(rest).toEqual([]);
    expect(report!.path).toEqual(['models', 'routing', 'strategy']);
    expect(report).toMatchObject({ messageId: 'oneTierCascade', data: { tiers: 1 } });
  });

  it('fails a cascade without an escalation condition, explicit or implied', () => {
    const spec = example();
    spec.models!.routing!.escalateWhen = {};
    expect(run(routing, spec).map((report) => report.path)).toEqual([['models', 'routing', 'escalateWhen']]);
    delete spec.models!.routing!.escalateWhen;
    expect(run(routing, spec).map((report) => report.path)).toEqual([['models', 'routing']]);
    delete spec.models!.routing;
    const [implied] = run(routing, spec);
    expect(implied!.path).toEqual(['models']);
    expect(implied).toMatchObject({
      messageId: 'noEscalation',
      data: { implied: ' (the cascade is implied by 2 tiers without models.routing)' },
    });
  });

  it('warns about tiers a single route never calls, unless the lower-tier fallback uses them', () => {
    const spec = example();
    spec.models!.routing = { strategy: 'single' };
    expect(run(routing, spec)).toEqual([]);
    spec.models!.tiers.push({ name: 'backup', kind: 'local', model: 'rules-v0', timeoutMs: 20, costPerRequestUsd: 0 });
    const [extra, ...rest] = run(routing, spec);
    expect(rest).toEqual([]);
    expect(extra).toMatchObject({ path: ['models', 'tiers', 2], severity: 'warn' });
    expect(extra).toMatchObject({
      messageId: 'unusedTiers',
      data: { noun: 'tier', unused: '"backup"', verb: 'is', fallback: ' (the lower-tier fallback uses only the second tier)' },
    });
    spec.resilience!.fallback!.strategy = 'static';
    const [unused] = run(routing, spec);
    expect(unused).toMatchObject({ path: ['models', 'tiers', 1], severity: 'warn' });
    expect(unused).toMatchObject({
      messageId: 'unusedTiers',
      data: { noun: 'tiers', unused: '"strong" and "backup"', verb: 'are', fallback: '' },
    });
    expect(errors(routing, run(routing, spec))).toEqual([]);
  });
});
