import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisQuery } from '../../../../src/deploy/drivers/kubernetes/analysis.js';
import { analysisLimits, renderManifests } from '../../../../src/deploy/drivers/kubernetes/manifests.js';
import { judge, queryPrometheus, runAnalysis } from '../../../../src/deploy/drivers/kubernetes/prometheus.js';
import { ExternalError } from '../../../../src/errors.js';
import { loadSpecFile } from '../../../../src/spec/load.js';
import type { Spec } from '../../../../src/spec/schema.js';
import { EXAMPLE } from '../../../helpers/temp.js';

let example: Spec;
beforeAll(async () => {
  example = (await loadSpecFile(EXAMPLE)).spec!;
});

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A Prometheus stand-in on 127.0.0.1: answers /api/v1/query from `answer(query, call)`. */
async function prometheus(
  answer: (query: string, call: number) => { status?: number; body: unknown },
): Promise<{ address: string; queries: string[] }> {
  const queries: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = url.searchParams.get('query') ?? '';
    queries.push(query);
    const { status = 200, body } = answer(query, queries.length);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, queries };
}

const vector = (...values: string[]) => ({
  status: 'success',
  data: { resultType: 'vector', result: values.map((v) => ({ metric: {}, value: [1764626400.5, v] })) },
});

function queries(): AnalysisQuery[] {
  const spec = structuredClone(example);
  spec.deploy!.kubernetes!.rollouts = 'service-switch';
  return renderManifests(spec, { image: 'x:1', version: '1' }).queries;
}

function holds(condition: string, result: number[]): boolean {
  return Boolean(new Function('result', 'len', `return ${condition};`)(result, (a: unknown[]) => a.length));
}

describe('judge', () => {
  it('reads a result exactly as the AnalysisTemplate conditions do', () => {
    for (const query of queries()) {
      for (const result of [[], [Number.NaN], [0], [0.5], [0.88], [1], [1.5], [1200], [1201], [99.95]]) {
        const expected = holds(query.successCondition, result) ? 'pass' : holds(query.failureCondition, result) ? 'fail' : 'inconclusive';
        expect(judge(query.threshold, result), `${query.name} ${JSON.stringify(result)}`).toBe(expected);
      }
    }
  });
});

describe('queryPrometheus', () => {
  it('returns the vector values, [] for an empty vector, and fails clearly on an error', async () => {
    const server = await prometheus((query) =>
      query === 'bad('
        ? { status: 400, body: { status: 'error', errorType: 'bad_data', error: 'parse error' } }
        : query === 'none'
          ? { body: vector() }
          : { body: vector('0.25', 'NaN') },
    );
    expect(await queryPrometheus(server.address, 'up')).toEqual([0.25, Number.NaN]);
    expect(await queryPrometheus(server.address, 'none')).toEqual([]);
    await expect(queryPrometheus(server.address, 'bad(')).rejects.toThrow(ExternalError);
    await expect(queryPrometheus(server.address, 'bad(')).rejects.toMatchObject({ output: 'HTTP 400: parse error' });
    await expect(queryPrometheus('http://127.0.0.1:9', 'up')).rejects.toMatchObject({ output: expect.stringMatching(/unreachable/) });
  });
});

describe('runAnalysis', () => {
  const settings = (address: string) => ({ address, ...analysisLimits(example.deploy!), sleep: async () => {} });

  it('passes after count measurements within the thresholds', async () => {
    const server = await prometheus((query) => ({
      body: vector(
        query.startsWith('max(ai_business_metric{') && query.includes('metric="routing_accuracy"')
          ? '0.93'
          : query.includes('histogram_quantile')
            ? '640'
            : '0.2',
      ),
    }));
    const result = await runAnalysis(queries(), settings(server.address));
    expect(result.verdict).toBe('pass');
    expect(result.tally['error-rate-percent']).toEqual({ pass: 18, fail: 0, inconclusive: 0 });
    expect(server.queries).toHaveLength(18 * 3);
  });

  it('fails once a metric fails more often than failureLimit', async () => {
    const server = await prometheus((query) => ({
      body: vector(query.includes('outcome="error"') ? '4.5' : query.startsWith('max(') ? '0.93' : '640'),
    }));
    const result = await runAnalysis(queries(), settings(server.address));
    expect(result).toMatchObject({ verdict: 'fail', reason: 'error-rate-percent failed 3 times (failureLimit 2)' });
  });

  it('calls no data inconclusive, never a pass', async () => {
    const server = await prometheus(() => ({ body: vector() }));
    const result = await runAnalysis(queries(), settings(server.address));
    expect(result.verdict).toBe('inconclusive');
    expect(result.reason).toMatch(/no data 3 times \(inconclusiveLimit 2\)/);
  });
});
