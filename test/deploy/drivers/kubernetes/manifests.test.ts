import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { analysisQueries } from '../../../../src/deploy/drivers/kubernetes/analysis.js';
import {
  manifestYaml,
  renderManifests,
  resolveImage,
  type K8sObject,
  type KubernetesManifests,
} from '../../../../src/deploy/drivers/kubernetes/manifests.js';
import { latencyBucketsMs } from '../../../../src/deploy/drivers/kubernetes/service-metrics.js';
import { UserError } from '../../../../src/errors.js';
import type { Spec } from '../../../../src/spec/schema.js';
import { loadSpecFile } from '../../../../src/spec/load.js';
import { EXAMPLE } from '../../../helpers/temp.js';
import { promqlErrors, schemaProblems } from './schemas.js';

let example: Spec;
beforeAll(async () => {
  example = (await loadSpecFile(EXAMPLE)).spec!;
});

function specWith(mode: 'argo' | 'service-switch', strategy: 'blue-green' | 'canary'): Spec {
  const spec = structuredClone(example);
  spec.deploy!.kubernetes!.rollouts = mode;
  spec.deploy!.strategy = strategy;
  return spec;
}

const render = (spec: Spec, extra: Partial<Parameters<typeof renderManifests>[1]> = {}) =>
  renderManifests(spec, { image: 'ghcr.io/example/support-triage:abc123', version: 'abc123', ...extra });

/** The objects as a person's kubectl would read them: parsed back from the YAML files. */
function objectsFromYaml(manifests: KubernetesManifests): K8sObject[] {
  return manifests.files.flatMap((file) =>
    parseAllDocuments(manifestYaml(file)).map((doc) => {
      expect(doc.errors).toEqual([]);
      return doc.toJS() as K8sObject;
    }),
  );
}

const find = (objects: K8sObject[], kind: string, name?: string) => {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found, `${kind} ${name ?? ''}`).toBeDefined();
  return found as K8sObject & { spec: Record<string, unknown> };
};

/** Evaluates an Argo Rollouts condition as the expr language would for our expressions (&&, ||, comparisons, len, result[0]). */
function holds(condition: string, result: number[]): boolean {
  expect(condition).toMatch(/^[\w\s[\]().<>=&|!-]+$/);
  return Boolean(new Function('result', 'len', `return ${condition};`)(result, (a: unknown[]) => a.length));
}

describe('renderManifests', () => {
  describe.each([
    ['argo', 'blue-green'],
    ['argo', 'canary'],
    ['service-switch', 'blue-green'],
    ['service-switch', 'canary'],
  ] as const)('%s with %s', (mode, strategy) => {
    it('writes YAML whose every object passes the Kubernetes / Argo Rollouts schema, with no unknown field', async () => {
      const manifests = render(specWith(mode, strategy));
      const objects = objectsFromYaml(manifests);
      expect(objects).toEqual(manifests.files.flatMap((f) => f.objects));
      const kinds = objects.map((o) => o.kind).sort();
      expect(kinds).toEqual(
        mode === 'argo'
          ? ['AnalysisTemplate', 'ConfigMap', 'PodDisruptionBudget', 'Rollout', 'Service', 'Service']
          : ['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service', 'Service'],
      );
      for (const object of objects) expect(await schemaProblems(object), `${object.kind} ${object.metadata.name}`).toEqual([]);
      for (const object of objects) expect(object.metadata.namespace).toBe('support');
    });

    it('parses every PromQL query', () => {
      const manifests = render(specWith(mode, strategy));
      expect(manifests.queries).toHaveLength(3);
      for (const query of manifests.queries) expect(promqlErrors(query.query), query.query).toEqual([]);
    });

    it('runs the pods on the pack port with probes on its health routes, requests, the ConfigMap and secrets by reference', () => {
      const objects = objectsFromYaml(render(specWith(mode, strategy)));
      const workload = find(objects, mode === 'argo' ? 'Rollout' : 'Deployment');
      const pod = (workload.spec['template'] as { spec: { containers: Record<string, unknown>[] } }).spec;
      const [container] = pod.containers;
      expect(container).toMatchObject({
        image: 'ghcr.io/example/support-triage:abc123',
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
        livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
        resources: { requests: { cpu: '250m', memory: '256Mi' } },
        envFrom: [{ configMapRef: { name: 'support-triage-config' } }],
      });
      expect(container!['env']).toContainEqual({
        name: 'TRIAGE_LLM_URL',
        valueFrom: { secretKeyRef: { name: 'support-triage-secrets', key: 'TRIAGE_LLM_URL' } },
      });
      expect(find(objects, 'ConfigMap', 'support-triage-config')['data']).toMatchObject({ PORT: '8080' });
      expect(find(objects, 'PodDisruptionBudget').spec).toEqual({
        maxUnavailable: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'support-triage' } },
      });
      // Secrets are referenced, never written.
      expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    });
  });

  it('trips the schema check on an unknown field, a typo in the pod template and a wrong type', async () => {
    const argo = objectsFromYaml(render(specWith('argo', 'canary')));
    const rollout = structuredClone(find(argo, 'Rollout'));
    (rollout.spec['strategy'] as { canary: Record<string, unknown> }).canary['stepz'] = [];
    expect(await schemaProblems(rollout)).toEqual(['Rollout.spec.strategy.canary.stepz is not a field of the schema']);

    const typo = structuredClone(find(argo, 'Rollout'));
    const container = (typo.spec['template'] as { spec: { containers: Record<string, unknown>[] } }).spec.containers[0]!;
    container['readinesProbe'] = container['readinessProbe'];
    expect(await schemaProblems(typo)).toEqual(['Rollout.spec.template.spec.containers[0].readinesProbe is not a field of the schema']);

    const template = structuredClone(find(argo, 'AnalysisTemplate'));
    (template.spec['metrics'] as Record<string, unknown>[])[0]!['inconclusiveLimt'] = 1;
    expect(await schemaProblems(template)).toEqual(['AnalysisTemplate.spec.metrics[0].inconclusiveLimt is not a field of the schema']);

    const deployment = structuredClone(find(objectsFromYaml(render(specWith('service-switch', 'blue-green'))), 'Deployment'));
    deployment.spec['replicas'] = 'three';
    expect((await schemaProblems(deployment)).join('\n')).toMatch(/\/spec\/replicas .*integer/);
    deployment.spec['replicas'] = 3;
    deployment.spec['replica'] = 3;
    expect(await schemaProblems(deployment)).toEqual(['Deployment.spec.replica is not a field of the schema']);
  });

  it('fails a query that does not parse', () => {
    expect(promqlErrors('sum(rate(ai_requests_total[1m])')).not.toEqual([]);
    expect(promqlErrors('ai_requests_total{service="x"')).not.toEqual([]);
    expect(promqlErrors('sum(rate(ai_requests_total[1m]))')).toEqual([]);
  });

  it("a three-step canary yields the spec's weights and pauses, and one analysis metric per spec metric", () => {
    const spec = specWith('argo', 'canary');
    spec.deploy!.steps = [{ weight: 5, pauseSeconds: 30 }, { weight: 40, pauseSeconds: 90 }, { weight: 100 }];
    const objects = objectsFromYaml(render(spec));
    const rollout = find(objects, 'Rollout');
    const canary = (rollout.spec['strategy'] as { canary: Record<string, unknown> }).canary;
    expect(canary['steps']).toEqual([
      { setWeight: 5 },
      { pause: { duration: '30s' } },
      { setWeight: 40 },
      { pause: { duration: '90s' } },
      { setWeight: 100 },
    ]);
    expect(canary['stableService']).toBe('support-triage');
    expect(canary['canaryService']).toBe('support-triage-preview');
    expect(canary['analysis']).toEqual({
      templates: [{ templateName: 'support-triage-analysis' }],
      args: [{ name: 'pod-template-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
    });
    const metrics = find(objects, 'AnalysisTemplate').spec['metrics'] as Record<string, unknown>[];
    expect(metrics.map((m) => m['name'])).toEqual(['error-rate-percent', 'p95-latency-ms', 'business-routing-accuracy']);
    expect(metrics).toHaveLength(spec.deploy!.analysis!.metrics.length);
    for (const metric of metrics) {
      expect(metric).toMatchObject({ interval: '10s', failureLimit: 2, inconclusiveLimit: 2, count: 12 });
      expect(metric).toMatchObject({ provider: { prometheus: { query: expect.stringContaining('{{args.pod-template-hash}}') } } });
    }
  });

  it('blue-green: active and preview Services, pre-promotion analysis, the spec scale-down delay', () => {
    const objects = objectsFromYaml(render(specWith('argo', 'blue-green')));
    const blueGreen = (find(objects, 'Rollout').spec['strategy'] as { blueGreen: Record<string, unknown> }).blueGreen;
    expect(blueGreen).toMatchObject({
      activeService: 'support-triage',
      previewService: 'support-triage-preview',
      prePromotionAnalysis: { templates: [{ templateName: 'support-triage-analysis' }] },
      scaleDownDelaySeconds: 30,
    });
    find(objects, 'Service', 'support-triage');
    find(objects, 'Service', 'support-triage-preview');
    find(objects, 'AnalysisTemplate', 'support-triage-analysis');
  });

  it('service-switch: the Service keeps the live slot, the release goes to the other', () => {
    const first = objectsFromYaml(render(specWith('service-switch', 'blue-green')));
    expect(find(first, 'Service', 'support-triage').spec['selector']).toEqual({ 'app.kubernetes.io/name': 'support-triage', slot: 'blue' });
    expect(find(first, 'Service', 'support-triage-preview').spec['selector']).toMatchObject({ slot: 'green' });
    expect(find(first, 'Deployment', 'support-triage-green').spec['selector']).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'support-triage', slot: 'green' },
    });
    const next = render(specWith('service-switch', 'blue-green'), { liveSlot: 'green' });
    expect(next.names).toMatchObject({ workload: 'support-triage-blue', liveSlot: 'green', targetSlot: 'blue' });
    expect(next.queries[0]!.query).toContain('slot="blue"');
  });

  it('no data is inconclusive: an empty or NaN result meets neither condition', () => {
    for (const query of render(specWith('argo', 'canary')).queries) {
      for (const empty of [[], [Number.NaN]]) {
        expect(holds(query.successCondition, empty), `${query.name} success on ${JSON.stringify(empty)}`).toBe(false);
        expect(holds(query.failureCondition, empty), `${query.name} failure on ${JSON.stringify(empty)}`).toBe(false);
      }
    }
    const [errors, latency, business] = render(specWith('argo', 'canary')).queries;
    expect([holds(errors!.successCondition, [0.5]), holds(errors!.failureCondition, [0.5])]).toEqual([true, false]);
    expect([holds(errors!.successCondition, [3]), holds(errors!.failureCondition, [3])]).toEqual([false, true]);
    expect([holds(latency!.successCondition, [1300]), holds(latency!.failureCondition, [1300])]).toEqual([false, true]);
    expect([holds(business!.successCondition, [0.9]), holds(business!.failureCondition, [0.8])]).toEqual([true, true]);
    // Too little traffic empties the query (the `and on()` guard); no error yet counts as 0, not as no data.
    expect(errors!.query).toMatch(/ or vector\(0\)\)/);
    expect(errors!.query).toMatch(/and on\(\) \(sum\(increase\(ai_requests_total\{.*\}\[60s\]\)\) >= 1\)$/);
    expect(business!.query).toContain('ai_business_observations_total{');
  });

  it("latency thresholds sit on the service's histogram buckets", () => {
    const spec = specWith('argo', 'canary');
    for (const metric of spec.deploy!.analysis!.metrics.filter((m) => m.name.endsWith('latency-ms'))) {
      expect(latencyBucketsMs(spec)).toContain(metric.max);
    }
  });

  it('takes the SLO as the bound of a system metric without one, and refuses a business metric the service does not export', () => {
    const spec = specWith('argo', 'canary');
    spec.deploy!.analysis!.metrics = [{ name: 'p99-latency-ms' }, { name: 'availability' }];
    const queries = analysisQueries(spec, { selector: 'service="x"' });
    expect(queries.map((q) => q.threshold)).toEqual([{ max: 2500 }, { min: 99.9 }]);
    spec.deploy!.analysis!.metrics = [{ name: 'business', metric: 'not_exported', min: 1 }];
    expect(() => analysisQueries(spec, { selector: 'service="x"' })).toThrow(/not_exported is not a metric the service exports/);
    spec.deploy!.analysis!.metrics = [{ name: 'business', metric: 'routing_accuracy' }];
    expect(() => analysisQueries(spec, { selector: 'service="x"' })).toThrow(UserError);
  });

  it('refuses a spec without deploy.kubernetes or without deploy.analysis, in both modes', () => {
    const spec = structuredClone(example);
    delete spec.deploy!.kubernetes;
    expect(() => render(spec)).toThrow(/deploy.kubernetes is missing/);
    for (const mode of ['argo', 'service-switch'] as const) {
      const blind = specWith(mode, 'canary');
      delete blind.deploy!.analysis;
      expect(() => render(blind)).toThrow(/deploy.analysis is missing/);
    }
  });
});

describe('resolveImage', () => {
  it('takes --image as a tag or a full reference, else the spec image and the commit', () => {
    expect(resolveImage(example, { image: 'v1.2.0' })).toEqual({ image: 'ghcr.io/example/support-triage:v1.2.0', version: 'v1.2.0' });
    expect(resolveImage(example, { image: 'registry.local/triage:7' })).toEqual({ image: 'registry.local/triage:7', version: '7' });
    expect(resolveImage(example, { image: 'registry.local/triage@sha256:ab' }).image).toBe('registry.local/triage@sha256:ab');
    expect(resolveImage(example, { commit: '0123456789ab' })).toEqual({
      image: 'ghcr.io/example/support-triage:0123456789ab',
      version: '0123456789ab',
    });
    expect(() => resolveImage(example, {})).toThrow(/no image to deploy/);
  });
});
