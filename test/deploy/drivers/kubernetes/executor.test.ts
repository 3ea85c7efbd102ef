import { beforeAll, describe, expect, it } from 'vitest';
import {
  execaKubectl,
  parseRollout,
  readLiveSlot,
  readRollout,
  rollbackRelease,
  rolloutVerdict,
  runArgoRelease,
  runServiceSwitchRelease,
} from '../../../../src/deploy/drivers/kubernetes/executor.js';
import {
  formatCommand,
  kubectlPlan,
  liveSlotCommand,
  releaseCommands,
  type KubectlPlan,
} from '../../../../src/deploy/drivers/kubernetes/kubectl.js';
import { renderManifests } from '../../../../src/deploy/drivers/kubernetes/manifests.js';
import { ExternalError, UserError } from '../../../../src/errors.js';
import { loadSpecFile } from '../../../../src/spec/load.js';
import type { Spec } from '../../../../src/spec/schema.js';
import { EXAMPLE, tempDir } from '../../../helpers/temp.js';
import { APPLIED, ROLLOUTS, fakeKubectl, type Reply } from './fake-kubectl.js';

let example: Spec;
beforeAll(async () => {
  example = (await loadSpecFile(EXAMPLE)).spec!;
});

function plan(mode: 'argo' | 'service-switch' = 'argo', context = 'prod'): KubectlPlan {
  const spec = structuredClone(example);
  spec.deploy!.kubernetes!.rollouts = mode;
  spec.deploy!.strategy = 'canary';
  return kubectlPlan(renderManifests(spec, { image: 'ghcr.io/example/support-triage:abc', version: 'abc' }), {
    dir: 'deploy/k8s',
    context,
  });
}

const noWait = async () => {};
const argoScenario = (gets: Reply[], extra: { when: string[]; replies: Reply[] }[] = []) => ({
  contexts: ['prod'],
  rules: [
    { when: ['apply'], replies: [{ stdout: APPLIED }] },
    { when: ['get', 'rollout.argoproj.io'], replies: gets },
    { when: ['argo', 'rollouts', 'abort'], replies: [{ stdout: "rollout 'support-triage' aborted" }] },
    { when: ['argo', 'rollouts', 'undo'], replies: [{ stdout: "rollout 'support-triage' undo" }] },
    ...extra,
  ],
});

describe('runArgoRelease against the fake kubectl', () => {
  it('applies, follows the rollout through its steps to promotion, and runs exactly the dry-run commands', async () => {
    const kubectl = fakeKubectl(
      argoScenario([
        { stdout: ROLLOUTS.notObserved },
        { stdout: ROLLOUTS.progressing },
        { stdout: ROLLOUTS.pausedAtStep },
        { stdout: ROLLOUTS.promoted },
      ]),
    );
    const p = plan();
    const seen: string[] = [];
    const outcome = await runArgoRelease(p, kubectl.run, { sleep: noWait, onUpdate: (s) => seen.push(`${s.phase}@${s.currentStepIndex}`) });
    expect(outcome).toMatchObject({ status: 'promoted' });
    expect(seen).toEqual(['Healthy@0', 'Progressing@0', 'Paused@1', 'Healthy@5']);
    const [apply, poll] = releaseCommands(p).run;
    // What the dry run shows is what ran: apply once, then the status poll until the end.
    expect(kubectl.calls()).toEqual([apply!.args, poll!.args, poll!.args, poll!.args, poll!.args]);
    expect(outcome.commands).toEqual(kubectl.calls().map((args) => formatCommand({ args, purpose: '' })));
    expect(apply!.args).toEqual([
      'apply',
      ...['-f', 'deploy/k8s/configmap.yaml', '-f', 'deploy/k8s/services.yaml', '-f', 'deploy/k8s/analysis-template.yaml'],
      ...['-f', 'deploy/k8s/pdb.yaml', '-f', 'deploy/k8s/rollout.yaml', '--context', 'prod', '--namespace', 'support'],
    ]);
  });

  it('reports a rollback when Argo aborts on a failed analysis, without a second abort', async () => {
    const kubectl = fakeKubectl(argoScenario([{ stdout: ROLLOUTS.progressing }, { stdout: ROLLOUTS.analysisFailed }]));
    const outcome = await runArgoRelease(plan(), kubectl.run, { sleep: noWait });
    expect(outcome.status).toBe('rolled-back');
    expect(outcome.reason).toMatch(/error-rate-percent" assessed Failed due to failed \(3\) > failureLimit \(2\)/);
    expect(kubectl.calls().some((args) => args.includes('abort'))).toBe(false);
  });

  it('aborts an inconclusive analysis (no data is never a pass)', async () => {
    const kubectl = fakeKubectl(argoScenario([{ stdout: ROLLOUTS.pausedAtStep }, { stdout: ROLLOUTS.inconclusive }]));
    const p = plan();
    const outcome = await runArgoRelease(p, kubectl.run, { sleep: noWait });
    expect(outcome).toMatchObject({ status: 'rolled-back', reason: expect.stringMatching(/inconclusive/) });
    expect(kubectl.calls().at(-1)).toEqual(p.abort.args);
    expect(p.abort.args).toEqual(['argo', 'rollouts', 'abort', 'support-triage', '--context', 'prod', '--namespace', 'support']);
    expect(releaseCommands(p).onFailure).toEqual([p.abort]);
  });

  it('aborts a rollout that degrades, and says so when the abort fails too', async () => {
    const kubectl = fakeKubectl(argoScenario([{ stdout: ROLLOUTS.progressDeadline }]));
    // The first rule that matches answers: this fake refuses the abort.
    const failing = fakeKubectl({
      contexts: ['prod'],
      rules: [
        {
          when: ['argo', 'rollouts', 'abort'],
          replies: [{ stderr: 'Error: rollouts.argoproj.io "support-triage" is forbidden', exit: 1 }],
        },
        ...argoScenario([{ stdout: ROLLOUTS.progressDeadline }]).rules,
      ],
    });
    expect(await runArgoRelease(plan(), kubectl.run, { sleep: noWait })).toMatchObject({
      status: 'rolled-back',
      reason: expect.stringMatching(/ProgressDeadlineExceeded/),
    });
    expect(await runArgoRelease(plan(), failing.run, { sleep: noWait })).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/the abort failed too: .*forbidden/),
    });
  });

  it('gives up and aborts after the timeout', async () => {
    const kubectl = fakeKubectl(argoScenario([{ stdout: ROLLOUTS.progressing }]));
    let clock = 0;
    const outcome = await runArgoRelease(plan(), kubectl.run, {
      timeoutMs: 20_000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    expect(outcome).toMatchObject({ status: 'rolled-back', reason: expect.stringMatching(/timed out/) });
    expect(kubectl.calls().filter((args) => args[0] === 'get')).toHaveLength(5);
    expect(kubectl.calls().at(-1)?.slice(0, 3)).toEqual(['argo', 'rollouts', 'abort']);
  });

  it('rides out a failed status read, and aborts after three in a row', async () => {
    const blip = { stderr: 'Unable to connect to the server: net/http: TLS handshake timeout', exit: 1 };
    const kubectl = fakeKubectl(argoScenario([blip, { stdout: ROLLOUTS.progressing }, blip, blip, blip]));
    const failures: number[] = [];
    const outcome = await runArgoRelease(plan(), kubectl.run, { sleep: noWait, onPollFailure: (_, n) => failures.push(n) });
    expect(failures).toEqual([1, 1, 2, 3]);
    expect(outcome).toMatchObject({
      status: 'rolled-back',
      reason: expect.stringMatching(/^lost track of the rollout: .* failed 3 times in a row: Unable to connect/),
    });
    expect(kubectl.calls().at(-1)?.slice(0, 3)).toEqual(['argo', 'rollouts', 'abort']);
  });

  it('on interruption kills the kubectl in flight, aborts the rollout and says it was interrupted', async () => {
    const kubectl = fakeKubectl(argoScenario([{ stdout: ROLLOUTS.progressing }, { hang: true }]));
    const controller = new AbortController();
    const started = runArgoRelease(plan(), kubectl.run, { sleep: noWait, signal: controller.signal });
    // Wait until the second poll (the one that hangs) is running.
    for (let i = 0; i < 200 && kubectl.calls().length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    const outcome = await started;
    expect(outcome).toMatchObject({ status: 'rolled-back', interrupted: true, reason: 'interrupted' });
    expect(kubectl.calls().at(-1)?.slice(0, 3)).toEqual(['argo', 'rollouts', 'abort']);
  });

  it('fails with kubectl’s own words when apply fails, and runs nothing else', async () => {
    const kubectl = fakeKubectl(argoScenario([{ stdout: ROLLOUTS.promoted }]));
    const error = await runArgoRelease(plan('argo', 'staging'), kubectl.run, { sleep: noWait }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as ExternalError).output).toBe('error: context "staging" does not exist');
    expect(kubectl.calls()).toHaveLength(1);
  });

  it('puts flags after a plugin name: the fake, like kubectl, does not find a plugin behind a flag', async () => {
    const kubectl = fakeKubectl(argoScenario([]));
    const flagsFirst = await kubectl.run(['--namespace', 'support', 'argo', 'rollouts', 'undo', 'support-triage']);
    expect(flagsFirst).toMatchObject({ exitCode: 1, stderr: 'error: flags cannot be placed before plugin name: --namespace' });
    const p = plan();
    expect(await rollbackRelease(p, kubectl.run, 'undo')).toEqual([formatCommand(p.undo)]);
    expect(kubectl.calls().at(-1)).toEqual(['argo', 'rollouts', 'undo', 'support-triage', '--context', 'prod', '--namespace', 'support']);
  });
});

describe('readRollout and rolloutVerdict', () => {
  it('maps the rollout to a deployment status', async () => {
    const kubectl = fakeKubectl(
      argoScenario([{ stdout: ROLLOUTS.pausedAtStep }, { stdout: ROLLOUTS.promoted }, { stdout: ROLLOUTS.analysisFailed }]),
    );
    expect(await readRollout(plan(), kubectl.run)).toMatchObject({
      status: 'in-progress',
      state: { phase: 'Paused', currentStepIndex: 1, steps: 5 },
    });
    expect(await readRollout(plan(), kubectl.run)).toMatchObject({ status: 'promoted' });
    expect(await readRollout(plan(), kubectl.run)).toMatchObject({
      status: 'rolled-back',
      reason: expect.stringMatching(/RolloutAborted/),
    });
    expect(rolloutVerdict(parseRollout(ROLLOUTS.notObserved))).toEqual({ status: 'in-progress' });
    expect(parseRollout(ROLLOUTS.pausedAtStep).analysisRuns).toEqual([
      { role: 'background', name: 'support-triage-6d9f7c8b5d-4', status: 'Running' },
    ]);
    expect(() => parseRollout('error: the server does not have a resource type "rollout"')).toThrow(ExternalError);
    expect(() => parseRollout(JSON.stringify({ kind: 'Deployment' }))).toThrow(
      expect.objectContaining({ output: expect.stringMatching(/^not a Rollout/) }),
    );
  });
});

describe('runServiceSwitchRelease against the fake kubectl', () => {
  const scenario = (ready: Reply) => ({
    contexts: ['prod'],
    rules: [
      { when: ['apply'], replies: [{ stdout: 'deployment.apps/support-triage-green created' }] },
      { when: ['rollout', 'status'], replies: [ready] },
      { when: ['patch', 'service'], replies: [{ stdout: 'service/support-triage patched' }] },
    ],
  });

  it('switches the Service selector once the analysis passes', async () => {
    const kubectl = fakeKubectl(scenario({ stdout: 'deployment "support-triage-green" successfully rolled out' }));
    const p = plan('service-switch');
    const outcome = await runServiceSwitchRelease(p, kubectl.run, async () => ({ verdict: 'pass' }));
    expect(outcome.status).toBe('promoted');
    expect(kubectl.calls()).toEqual(releaseCommands(p).run.map((c) => c.args));
    expect(p.promote.args.slice(0, 7)).toEqual([
      'patch',
      'service',
      'support-triage',
      '--type',
      'merge',
      '-p',
      '{"spec":{"selector":{"app.kubernetes.io/name":"support-triage","slot":"green"}}}',
    ]);
  });

  it('points the Service back at the live slot when the analysis fails or the pods never get ready', async () => {
    const failing = fakeKubectl(scenario({ stdout: 'deployment "support-triage-green" successfully rolled out' }));
    const p = plan('service-switch');
    expect(await runServiceSwitchRelease(p, failing.run, async () => ({ verdict: 'inconclusive', reason: 'no data' }))).toMatchObject({
      status: 'rolled-back',
      reason: 'no data',
    });
    expect(failing.calls().at(-1)).toEqual(p.abort.args);
    expect(p.abort.args).toContain('{"spec":{"selector":{"app.kubernetes.io/name":"support-triage","slot":"blue"}}}');

    const stuck = fakeKubectl(scenario({ stderr: 'error: timed out waiting for the condition', exit: 1 }));
    let analysed = false;
    const outcome = await runServiceSwitchRelease(p, stuck.run, async () => {
      analysed = true;
      return { verdict: 'pass' };
    });
    expect(outcome).toMatchObject({ status: 'rolled-back', reason: expect.stringMatching(/did not become ready: error: timed out/) });
    expect(analysed).toBe(false);
  });
});

describe('execaKubectl', () => {
  it('says kubectl is missing as a user error', async () => {
    const run = execaKubectl({ cwd: tempDir(), binary: 'kubectl-that-does-not-exist' });
    await expect(run(['version'])).rejects.toThrow(UserError);
  });
});

describe('readLiveSlot', () => {
  it('reads the slot the Service serves, and none before the first release', async () => {
    const service = (slot: string) =>
      JSON.stringify({ kind: 'Service', spec: { selector: { 'app.kubernetes.io/name': 'support-triage', slot } } });
    const kubectl = fakeKubectl({
      contexts: ['prod'],
      rules: [
        {
          when: ['get', 'service'],
          replies: [
            { stdout: service('green') },
            { stderr: 'Error from server (NotFound): services "support-triage" not found', exit: 1 },
            { stderr: 'error: You must be logged in to the server (Unauthorized)', exit: 1 },
          ],
        },
      ],
    });
    const command = liveSlotCommand('support-triage', 'support', { context: 'prod' });
    expect(command.args).toEqual(['get', 'service', 'support-triage', '-o', 'json', '--context', 'prod', '--namespace', 'support']);
    expect(await readLiveSlot(command, kubectl.run)).toBe('green');
    expect(await readLiveSlot(command, kubectl.run)).toBeUndefined();
    await expect(readLiveSlot(command, kubectl.run)).rejects.toMatchObject({ output: expect.stringMatching(/Unauthorized/) });
  });
});
