/**
 * The fake kubectl (test/fixtures/kubectl) set up for one test, and Rollout objects shaped like
 * the ones `kubectl get rollout.argoproj.io NAME -o json` returns from an Argo Rollouts
 * controller (v1.x status fields: phase, message, abort, currentStepIndex, stableRS,
 * currentPodHash, observedGeneration as a string, pauseConditions, the analysis run statuses).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execaKubectl, type KubectlRunner } from '../../../../src/deploy/drivers/kubernetes/executor.js';
import { ROOT, tempDir } from '../../../helpers/temp.js';

export interface Reply {
  stdout?: string;
  stderr?: string;
  exit?: number;
  hang?: boolean;
}
export interface Scenario {
  contexts?: string[];
  rules: { when: string[]; replies: Reply[] }[];
}

export interface FakeKubectl {
  dir: string;
  /** PATH (the fake first) and FAKE_KUBECTL_DIR, for a whole `shipshape` process. */
  env: Record<string, string>;
  run: KubectlRunner;
  /** The argument lists kubectl was called with, in order. */
  calls(): string[][];
}

export function fakeKubectl(scenario: Scenario, cwd = tempDir()): FakeKubectl {
  const dir = tempDir();
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify(scenario));
  writeFileSync(join(dir, 'calls.jsonl'), '');
  const env = { PATH: `${join(ROOT, 'test/fixtures/kubectl')}${delimiter}${process.env['PATH']}`, FAKE_KUBECTL_DIR: dir };
  return {
    dir,
    env,
    run: execaKubectl({ cwd, env }),
    calls: () =>
      readFileSync(join(dir, 'calls.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as string[]),
  };
}

/** What `kubectl version --client -o json` prints (kubectl 1.29). */
export const CLIENT_VERSION = JSON.stringify({
  clientVersion: { major: '1', minor: '29', gitVersion: 'v1.29.2', platform: 'linux/amd64' },
  kustomizeVersion: 'v5.0.4-0.20230601165947-6ce0bf390ce3',
});

/** The preflight's answers: a current kubectl with the Argo Rollouts plugin. */
export const PREFLIGHT = [
  { when: ['version'], replies: [{ stdout: CLIENT_VERSION }] },
  {
    when: ['argo', 'rollouts', 'version'],
    replies: [{ stdout: 'kubectl-argo-rollouts: v1.7.2+59e5bd3\n  BuildDate: 2024-08-13T18:24:23Z' }],
  },
];

export const APPLIED = [
  'configmap/support-triage-config created',
  'service/support-triage created',
  'service/support-triage-preview created',
  'analysistemplate.argoproj.io/support-triage-analysis created',
  'poddisruptionbudget.policy/support-triage created',
  'rollout.argoproj.io/support-triage configured',
].join('\n');

interface RolloutStatus {
  generation?: number;
  observedGeneration?: string;
  phase: 'Healthy' | 'Progressing' | 'Paused' | 'Degraded';
  message?: string;
  abort?: boolean;
  currentStepIndex?: number;
  stableRS?: string;
  currentPodHash?: string;
  pauseConditions?: { reason: string; startTime: string }[];
  analysis?: { name: string; status: string; message?: string };
}

/** A canary Rollout of support-triage with the example's five steps. */
export function rolloutJson(status: RolloutStatus): string {
  const generation = status.generation ?? 4;
  return JSON.stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'support-triage', namespace: 'support', generation, resourceVersion: '81233' },
    spec: {
      replicas: 3,
      strategy: {
        canary: {
          steps: [
            { setWeight: 10 },
            { pause: { duration: '60s' } },
            { setWeight: 50 },
            { pause: { duration: '120s' } },
            { setWeight: 100 },
          ],
        },
      },
    },
    status: {
      observedGeneration: status.observedGeneration ?? String(generation),
      phase: status.phase,
      ...(status.message ? { message: status.message } : {}),
      ...(status.abort ? { abort: true } : {}),
      currentStepIndex: status.currentStepIndex ?? 0,
      currentPodHash: status.currentPodHash ?? '6d9f7c8b5d',
      stableRS: status.stableRS ?? '5b8c7d6f4a',
      replicas: 3,
      updatedReplicas: 1,
      readyReplicas: 3,
      availableReplicas: 3,
      ...(status.pauseConditions ? { pauseConditions: status.pauseConditions } : {}),
      ...(status.analysis ? { canary: { currentBackgroundAnalysisRunStatus: status.analysis } } : { canary: {} }),
      conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'Rollout is progressing' }],
    },
  });
}

export const ROLLOUTS = {
  /** Just applied: the controller has not seen the new generation yet (still the old, healthy state). */
  notObserved: rolloutJson({ phase: 'Healthy', observedGeneration: '3', currentPodHash: '5b8c7d6f4a' }),
  progressing: rolloutJson({ phase: 'Progressing', message: 'more replicas need to be updated', currentStepIndex: 0 }),
  pausedAtStep: rolloutJson({
    phase: 'Paused',
    message: 'CanaryPauseStep',
    currentStepIndex: 1,
    pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-12-01T22:00:00Z' }],
    analysis: { name: 'support-triage-6d9f7c8b5d-4', status: 'Running' },
  }),
  promoted: rolloutJson({
    phase: 'Healthy',
    currentStepIndex: 5,
    stableRS: '6d9f7c8b5d',
    analysis: { name: 'support-triage-6d9f7c8b5d-4', status: 'Successful' },
  }),
  analysisFailed: rolloutJson({
    phase: 'Degraded',
    abort: true,
    currentStepIndex: 2,
    message:
      'RolloutAborted: Rollout aborted update to revision 4: Metric "error-rate-percent" assessed Failed due to failed (3) > failureLimit (2)',
    analysis: { name: 'support-triage-6d9f7c8b5d-4', status: 'Failed', message: 'Metric "error-rate-percent" assessed Failed' },
  }),
  inconclusive: rolloutJson({
    phase: 'Paused',
    message: 'InconclusiveAnalysisRun',
    currentStepIndex: 1,
    pauseConditions: [{ reason: 'InconclusiveAnalysisRun', startTime: '2026-12-01T22:00:00Z' }],
    analysis: { name: 'support-triage-6d9f7c8b5d-4', status: 'Inconclusive' },
  }),
  progressDeadline: rolloutJson({
    phase: 'Degraded',
    message: 'ProgressDeadlineExceeded: ReplicaSet "support-triage-6d9f7c8b5d" has timed out progressing.',
  }),
};
