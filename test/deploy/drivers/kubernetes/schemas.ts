/**
 * Offline validation of rendered manifests against the Kubernetes (kubernetes-models 4.x) and
 * Argo Rollouts (@kubernetes-models/argo-rollouts) schemas, stricter than the models themselves:
 * their schemas let unknown fields through, so the object is handed to the schema's validator
 * behind a Proxy that records every field the validator reads. A validator reads each field its
 * schema defines (to check it), so a field it never read is one the schema does not define.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import { validate as argoValidate } from '@kubernetes-models/validate';
import { AnalysisTemplate, Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';
import { ROOT } from '../../../helpers/temp.js';

type Validator = (data: unknown) => string[];

/** kubernetes-models 4.x ships each schema as a precompiled validator (not exported: loaded by path). */
async function kubernetesValidator(file: string): Promise<Validator> {
  const url = pathToFileURL(join(ROOT, 'node_modules/kubernetes-models/_schemas', `${file}.mjs`)).href;
  const { validate } = (await import(url)) as {
    validate: ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string; params?: unknown }[] | null };
  };
  return (data) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? JSON.stringify(e.params)}`));
}

/** The Argo models register their JSON Schema with ajv on first validate(); then ajv validates by id. */
function argoValidator(model: { validate(): void }, id: string): Validator {
  try {
    model.validate();
  } catch {
    // An empty model fails its own schema: what matters is that the schema is now registered.
  }
  return (data) => {
    try {
      argoValidate(id, data);
      return [];
    } catch (error) {
      return [(error as Error).message];
    }
  };
}

let validators: Promise<Record<string, Validator>> | undefined;
function loadValidators(): Promise<Record<string, Validator>> {
  return (validators ??= (async () => ({
    'v1/ConfigMap': await kubernetesValidator('IoK8sApiCoreV1ConfigMap'),
    'v1/Service': await kubernetesValidator('IoK8sApiCoreV1Service'),
    'apps/v1/Deployment': await kubernetesValidator('IoK8sApiAppsV1Deployment'),
    'policy/v1/PodDisruptionBudget': await kubernetesValidator('IoK8sApiPolicyV1PodDisruptionBudget'),
    podTemplate: await kubernetesValidator('IoK8sApiCoreV1PodTemplateSpec'),
    'argoproj.io/v1alpha1/Rollout': argoValidator(new Rollout({} as never), 'argoproj.io.v1alpha1.Rollout'),
    'argoproj.io/v1alpha1/AnalysisTemplate': argoValidator(new AnalysisTemplate({} as never), 'argoproj.io.v1alpha1.AnalysisTemplate'),
  }))());
}

/** The object behind a Proxy that records, per object, the keys read. */
function recording(root: unknown): { proxy: unknown; reads: WeakMap<object, Set<PropertyKey>> } {
  const reads = new WeakMap<object, Set<PropertyKey>>();
  const proxies = new WeakMap<object, unknown>();
  const wrap = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const cached = proxies.get(value);
    if (cached) return cached;
    reads.set(value, new Set());
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        reads.get(target)!.add(key);
        return wrap(Reflect.get(target, key, receiver));
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  return { proxy: wrap(root), reads };
}

function unread(value: unknown, reads: WeakMap<object, Set<PropertyKey>>, path: string, out: string[], skip?: string): void {
  if (value === null || typeof value !== 'object' || path === skip) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => unread(item, reads, `${path}[${index}]`, out, skip));
    return;
  }
  const seen = reads.get(value);
  for (const [key, child] of Object.entries(value)) {
    if (!seen?.has(key)) out.push(`${path}.${key} is not a field of the schema`);
    else unread(child, reads, `${path}.${key}`, out, skip);
  }
}

function check(validator: Validator, object: unknown, path: string, skip?: string): string[] {
  const copy = structuredClone(object);
  const { proxy, reads } = recording(copy);
  const problems = validator(proxy).map((problem) => `${path} ${problem}`);
  unread(copy, reads, path, problems, skip);
  return problems;
}

/**
 * Every problem of `object` against its kind's schema, unknown fields included; [] when valid.
 * The Argo Rollouts CRD schema leaves parts of the pod template free-form (resources.requests is
 * `{}`), so a Rollout's spec.template is checked against Kubernetes' own PodTemplateSpec as well.
 */
export async function schemaProblems(object: { apiVersion: string; kind: string }): Promise<string[]> {
  const all = await loadValidators();
  const validator = all[`${object.apiVersion}/${object.kind}`];
  if (!validator) return [`no schema for ${object.apiVersion} ${object.kind}`];
  if (object.kind !== 'Rollout') return check(validator, object, object.kind);
  const template = (object as { spec?: { template?: unknown } }).spec?.template;
  return [
    ...check(validator, object, 'Rollout', 'Rollout.spec.template'),
    ...(template === undefined ? ['Rollout.spec.template is missing'] : check(all['podTemplate']!, template, 'Rollout.spec.template')),
  ];
}

/** The syntax errors lezer-promql finds in a query, with their offsets; [] when it parses. */
export function promqlErrors(query: string): string[] {
  const errors: string[] = [];
  parser.parse(query).iterate({
    enter(node) {
      if (node.type.isError)
        errors.push(`syntax error at ${node.from}: ${JSON.stringify(query.slice(Math.max(0, node.from - 10), node.to + 10))}`);
    },
  });
  return errors;
}
