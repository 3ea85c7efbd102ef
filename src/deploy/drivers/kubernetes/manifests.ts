/**
 * The Kubernetes manifests of a release, as plain objects first (tests validate them against
 * the Kubernetes and Argo Rollouts schemas), then as YAML. Two modes (`deploy.kubernetes.rollouts`):
 * `argo`, a Rollout (blueGreen or canary, from `deploy.strategy`) with an AnalysisTemplate; and
 * `service-switch`, two Deployments (blue, green) behind a Service whose selector shipshape
 * switches once its own analysis passes. Secrets are referenced by name, never written.
 */
import { Document } from 'yaml';
import { UserError } from '../../../errors.js';
import { ENV_REF_PATTERN, type ROLLOUT_KINDS, type Spec } from '../../../spec/schema.js';
import { analysisQueries, type AnalysisQuery } from './analysis.js';
import { ENV, PORT_NAME, ROUTES, SERVICE_LABEL, SERVICE_PORT, SHUTDOWN_GRACE_MS } from './service-metrics.js';

export type RolloutMode = (typeof ROLLOUT_KINDS)[number];
export type Slot = 'blue' | 'green';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** One file under deploy/k8s/: its objects, applied in this order. */
export interface ManifestFile {
  /** Relative to the manifests folder, e.g. rollout.yaml. */
  name: string;
  objects: K8sObject[];
}

export interface ManifestOptions {
  /** The image to run, resolved (resolveImage). */
  image: string;
  /** The release's version: the image tag or the commit; SERVICE_VERSION in the pods. */
  version: string;
  /** Overrides deploy.kubernetes.namespace. */
  namespace?: string;
  /** service-switch: the slot serving now; the release goes to the other one (blue unless given). */
  liveSlot?: Slot;
  /** Where the AnalysisTemplate queries Prometheus (DEFAULT_PROMETHEUS unless given). */
  prometheusAddress?: string;
  /** Fewer requests than this in an analysis window is inconclusive (1 unless given). */
  minRequests?: number;
}

export interface KubernetesManifests {
  mode: RolloutMode;
  strategy: 'blue-green' | 'canary';
  namespace: string;
  files: ManifestFile[];
  /** The names the kubectl plan needs. */
  names: {
    app: string;
    /** argo: the Rollout; service-switch: the Deployment of the release's slot. */
    workload: string;
    service: string;
    previewService: string;
    configMap: string;
    /** The Secret the `${VAR}`s of the spec are read from (never written by shipshape). */
    secret: string;
    analysisTemplate?: string;
    liveSlot?: Slot;
    targetSlot?: Slot;
  };
  /** The analysis queries, for the AnalysisTemplate (argo) or shipshape's own analysis (service-switch). */
  queries: AnalysisQuery[];
  /** Secret keys the pods read: create them before applying (`kubectl create secret generic ...`). */
  secretKeys: string[];
}

/** A guess that fits kube-prometheus-stack; set prometheusAddress for another install. */
export const DEFAULT_PROMETHEUS = 'http://prometheus-operated.monitoring.svc:9090';
/** Requests per pod: a starting point for a Node.js service, to be tuned from its dashboards. */
export const RESOURCES = { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } } as const;
/** Labels every object carries; app.kubernetes.io/name selects the service's pods. */
export const NAME_LABEL = 'app.kubernetes.io/name';
export const SLOT_LABEL = 'slot';
/** The label Argo Rollouts puts on each pod; Prometheus' usual labelmap relabelling turns `-` into `_`. */
export const POD_TEMPLATE_HASH_METRIC_LABEL = 'rollouts_pod_template_hash';

type KubernetesSection = NonNullable<NonNullable<Spec['deploy']>['kubernetes']>;

function required(spec: Spec): { deploy: NonNullable<Spec['deploy']>; kubernetes: KubernetesSection } {
  const deploy = spec.deploy;
  if (!deploy?.kubernetes) {
    throw new UserError('deploy.kubernetes is missing: the Kubernetes driver needs a namespace, an image, replicas and a rollouts kind', {
      hint: 'Add deploy.kubernetes to shipshape.yaml (see examples/support-triage.yaml).',
    });
  }
  return { deploy, kubernetes: deploy.kubernetes };
}

/**
 * The image to deploy: `--image` (a full reference, or a tag of deploy.kubernetes.image), else
 * deploy.kubernetes.image tagged with the git commit. shipshape never builds images.
 */
export function resolveImage(spec: Spec, options: { image?: string; commit?: string }): { image: string; version: string } {
  const { kubernetes } = required(spec);
  const base = kubernetes.image;
  if (options.image !== undefined && options.image.trim() !== '') {
    const given = options.image.trim();
    const last = given.slice(given.lastIndexOf('/') + 1);
    if (given.includes('@')) return { image: given, version: given.slice(given.indexOf('@') + 1) };
    if (given.includes('/') || last.includes(':')) {
      const colon = last.lastIndexOf(':');
      return { image: given, version: colon === -1 ? 'latest' : last.slice(colon + 1) };
    }
    return { image: `${base}:${given}`, version: given };
  }
  if (options.commit) return { image: `${base}:${options.commit}`, version: options.commit };
  throw new UserError('no image to deploy: pass --image TAG, or run inside a git repository so the commit tags the image', {
    hint: `CI builds and pushes ${base}:<tag>; shipshape deploys it (deploy --image <tag>).`,
  });
}

/** The variable names of the spec's `${VAR}` references (tier endpoints and keys), sorted. */
export function secretVariables(spec: Spec): string[] {
  const names = new Set<string>();
  for (const tier of spec.models?.tiers ?? []) {
    for (const ref of [tier.endpoint, tier.apiKey]) {
      if (ref !== undefined && ENV_REF_PATTERN.test(ref)) names.add(ref.slice(2, -1));
    }
  }
  return [...names].sort();
}

function totalPauseSeconds(deploy: NonNullable<Spec['deploy']>): number {
  return deploy.steps.reduce((sum, step) => sum + (step.pauseSeconds ?? 0), 0);
}

/** Measurements per analysis run: enough to cover the spec's pauses, and more than failureLimit. */
export function analysisCount(deploy: NonNullable<Spec['deploy']>): number {
  const analysis = deploy.analysis!;
  return Math.max(analysis.failureLimit + 1, Math.ceil(totalPauseSeconds(deploy) / analysis.intervalSeconds));
}

export interface AnalysisLimits {
  intervalSeconds: number;
  count: number;
  failureLimit: number;
  /** The spec has no field of its own: no data may be tolerated as often as a failure. */
  inconclusiveLimit: number;
}

/** The analysis run's limits from deploy.analysis: the AnalysisTemplate's, and shipshape's own for service-switch. */
export function analysisLimits(deploy: NonNullable<Spec['deploy']>): AnalysisLimits {
  const analysis = deploy.analysis;
  if (!analysis) throw new UserError('deploy.analysis is missing: the Kubernetes driver needs metrics to judge a rollout by');
  return {
    intervalSeconds: analysis.intervalSeconds,
    count: analysisCount(deploy),
    failureLimit: analysis.failureLimit,
    inconclusiveLimit: analysis.failureLimit,
  };
}

/** What both modes share: names, labels, the ConfigMap, the pod template, Services and the PodDisruptionBudget. */
function common(spec: Spec, options: ManifestOptions) {
  const { deploy, kubernetes } = required(spec);
  const app = spec.metadata.name;
  const namespace = options.namespace ?? kubernetes.namespace;
  const labels = { [NAME_LABEL]: app, 'app.kubernetes.io/managed-by': 'shipshape' };
  const meta = (name: string, extra: Record<string, string> = {}) => ({ name, namespace, labels: { ...labels, ...extra } });
  const names = {
    app,
    service: app,
    previewService: `${app}-preview`,
    configMap: `${app}-config`,
    secret: `${app}-secrets`,
  };
  const secretKeys = secretVariables(spec);

  const configMap: K8sObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(names.configMap),
    data: { [ENV.port]: String(SERVICE_PORT), [ENV.logLevel]: 'info', [ENV.shutdownGraceMs]: String(SHUTDOWN_GRACE_MS) },
  };

  const podSpec = {
    terminationGracePeriodSeconds: Math.ceil(SHUTDOWN_GRACE_MS / 1000) + 5,
    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 },
    containers: [
      {
        name: app,
        image: options.image,
        ports: [{ name: PORT_NAME, containerPort: SERVICE_PORT, protocol: 'TCP' }],
        envFrom: [{ configMapRef: { name: names.configMap } }],
        env: [
          { name: ENV.version, value: options.version },
          ...secretKeys.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: names.secret, key } } })),
        ],
        resources: structuredClone(RESOURCES) as unknown as Record<string, Record<string, string>>,
        readinessProbe: { httpGet: { path: ROUTES.readiness, port: PORT_NAME }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
        livenessProbe: {
          httpGet: { path: ROUTES.liveness, port: PORT_NAME },
          initialDelaySeconds: 10,
          periodSeconds: 10,
          timeoutSeconds: 3,
          failureThreshold: 3,
        },
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
  };
  const podAnnotations = {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(SERVICE_PORT),
    'prometheus.io/path': ROUTES.metrics,
  };
  const template = (extra: Record<string, string> = {}) => ({
    metadata: { labels: { ...labels, ...extra }, annotations: podAnnotations },
    spec: podSpec,
  });
  const service = (name: string, selector: Record<string, string>): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(name),
    spec: { type: 'ClusterIP', selector, ports: [{ name: PORT_NAME, port: 80, targetPort: PORT_NAME, protocol: 'TCP' }] },
  });
  const pdb: K8sObject = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(app),
    spec: { maxUnavailable: 1, selector: { matchLabels: { [NAME_LABEL]: app } } },
  };
  return { spec, options, deploy, kubernetes, app, namespace, meta, names, secretKeys, configMap, template, service, pdb };
}

type Common = ReturnType<typeof common>;

/** service-switch: the release slot's Deployment, and a Service that stays on the live slot until shipshape switches it. */
function renderServiceSwitch(c: Common): KubernetesManifests {
  const { spec, options, deploy, kubernetes, app, namespace, meta, names, secretKeys, configMap, template, service, pdb } = c;
  const liveSlot = options.liveSlot ?? 'blue';
  const targetSlot: Slot = liveSlot === 'blue' ? 'green' : 'blue';
  const workload = `${app}-${targetSlot}`;
  const queries = analysisQueries(spec, {
    selector: `${SERVICE_LABEL}="${app}",${SLOT_LABEL}="${targetSlot}"`,
    ...(options.minRequests === undefined ? {} : { minRequests: options.minRequests }),
  });
  const deployment: K8sObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(workload, { [SLOT_LABEL]: targetSlot }),
    spec: {
      replicas: kubernetes.replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: { [NAME_LABEL]: app, [SLOT_LABEL]: targetSlot } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: template({ [SLOT_LABEL]: targetSlot }),
    },
  };
  return {
    mode: 'service-switch',
    strategy: deploy.strategy,
    namespace,
    files: [
      { name: 'configmap.yaml', objects: [configMap] },
      {
        name: 'services.yaml',
        objects: [
          service(names.service, { [NAME_LABEL]: app, [SLOT_LABEL]: liveSlot }),
          service(names.previewService, { [NAME_LABEL]: app, [SLOT_LABEL]: targetSlot }),
        ],
      },
      { name: `deployment-${targetSlot}.yaml`, objects: [deployment] },
      { name: 'pdb.yaml', objects: [pdb] },
    ],
    names: { ...names, workload, liveSlot, targetSlot },
    queries,
    secretKeys,
  };
}

/** argo: a Rollout (blueGreen or canary) with its AnalysisTemplate. */
function renderArgo(c: Common): KubernetesManifests {
  const { spec, options, deploy, kubernetes, app, namespace, meta, names, secretKeys, configMap, template, service, pdb } = c;
  const queries = analysisQueries(spec, {
    selector: `${SERVICE_LABEL}="${app}",${POD_TEMPLATE_HASH_METRIC_LABEL}="{{args.pod-template-hash}}"`,
    ...(options.minRequests === undefined ? {} : { minRequests: options.minRequests }),
  });
  const analysisTemplateName = `${app}-analysis`;
  const limits = analysisLimits(deploy);
  const analysisTemplate: K8sObject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: meta(analysisTemplateName),
    spec: {
      args: [{ name: 'pod-template-hash' }],
      metrics: queries.map((q) => ({
        name: q.name,
        interval: `${limits.intervalSeconds}s`,
        count: limits.count,
        failureLimit: limits.failureLimit,
        // No data is tolerated as often as a failure: past it, the run is Inconclusive and the rollout pauses.
        inconclusiveLimit: limits.inconclusiveLimit,
        successCondition: q.successCondition,
        failureCondition: q.failureCondition,
        provider: { prometheus: { address: options.prometheusAddress ?? DEFAULT_PROMETHEUS, query: q.query } },
      })),
    },
  };
  const analysisRef = {
    templates: [{ templateName: analysisTemplateName }],
    args: [{ name: 'pod-template-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
  };
  const strategy =
    deploy.strategy === 'canary'
      ? {
          canary: {
            stableService: names.service,
            canaryService: names.previewService,
            analysis: analysisRef,
            steps: deploy.steps.flatMap((step) => [
              { setWeight: step.weight },
              ...(step.pauseSeconds ? [{ pause: { duration: `${step.pauseSeconds}s` } }] : []),
            ]),
          },
        }
      : {
          blueGreen: {
            activeService: names.service,
            previewService: names.previewService,
            autoPromotionEnabled: true,
            prePromotionAnalysis: analysisRef,
            postPromotionAnalysis: analysisRef,
            scaleDownDelaySeconds: deploy.rollback?.scaleDownDelaySeconds ?? 30,
          },
        };
  const rollout: K8sObject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: meta(app),
    spec: {
      replicas: kubernetes.replicas,
      revisionHistoryLimit: 3,
      progressDeadlineSeconds: 600,
      progressDeadlineAbort: true,
      selector: { matchLabels: { [NAME_LABEL]: app } },
      template: template(),
      strategy,
    },
  };
  return {
    mode: 'argo',
    strategy: deploy.strategy,
    namespace,
    files: [
      { name: 'configmap.yaml', objects: [configMap] },
      {
        name: 'services.yaml',
        objects: [service(names.service, { [NAME_LABEL]: app }), service(names.previewService, { [NAME_LABEL]: app })],
      },
      { name: 'analysis-template.yaml', objects: [analysisTemplate] },
      { name: 'pdb.yaml', objects: [pdb] },
      { name: 'rollout.yaml', objects: [rollout] },
    ],
    names: { ...names, workload: app, analysisTemplate: analysisTemplateName },
    queries,
    secretKeys,
  };
}

const RENDERERS = {
  argo: renderArgo,
  'service-switch': renderServiceSwitch,
} satisfies Record<RolloutMode, (c: Common) => KubernetesManifests>;

/** Renders every manifest of the release. Pure: no I/O. Throws UserError on a spec it cannot deploy. */
export function renderManifests(spec: Spec, options: ManifestOptions): KubernetesManifests {
  const c = common(spec, options);
  return RENDERERS[c.kubernetes.rollouts](c);
}

/** A manifest file as YAML: one document per object. */
export function manifestYaml(file: ManifestFile): string {
  return file.objects.map((object) => new Document(object, { aliasDuplicateObjects: false }).toString({ lineWidth: 0 })).join('---\n');
}
