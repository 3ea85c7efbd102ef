import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Deployment } from '../../src/state/deployments.js';
import {
  APPLIED,
  PREFLIGHT,
  ROLLOUTS,
  fakeKubectl,
  rolloutJson,
  type Reply,
  type Scenario,
} from '../deploy/drivers/kubernetes/fake-kubectl.js';
import { BIN, runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';

/** `deploy --driver kubernetes --dry-run` through the built CLI: the driver's plan behind the command. */
describe('shipshape deploy --driver kubernetes --dry-run', () => {
  it('writes the manifests to deploy/k8s/ and prints the kubectl commands, touching no cluster', async () => {
    const dir = tempDir();
    copyFileSync(EXAMPLE, join(dir, 'shipshape.yaml'));
    const result = await runCli(['deploy', '--driver', 'kubernetes', '--dry-run', '--image', 'ghcr.io/example/support-triage:1.4.0'], {
      cwd: dir,
    });
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^kubectl apply -f deploy\/k8s\/\S+\.yaml .*--namespace support$/);
    expect(lines.every((line) => line.startsWith('kubectl '))).toBe(true);
    for (const file of ['configmap.yaml', 'services.yaml', 'analysis-template.yaml', 'pdb.yaml', 'rollout.yaml'])
      expect(existsSync(join(dir, 'deploy/k8s', file))).toBe(true);
    expect(readFileSync(join(dir, 'deploy/k8s/rollout.yaml'), 'utf8')).toContain('ghcr.io/example/support-triage:1.4.0');
    expect(result.stderr).toContain('support-triage-secrets');

    const json = await runInProcess(['deploy', '--driver', 'kubernetes', '--dry-run', '--image', '1.4.0', '--json'], { cwd: dir });
    expect(json.exitCode).toBe(0);
    const planned = JSON.parse(json.stdout) as { lines: string[]; files: { action: string }[] };
    expect(planned.lines).toEqual(expect.arrayContaining([expect.stringMatching(/^kubectl apply/)]));
    expect(planned.files.map((file) => file.action)).not.toContain('create');
  });

  it('refuses a dry run of the local driver (exit 2)', async () => {
    const dir = tempDir();
    copyFileSync(EXAMPLE, join(dir, 'shipshape.yaml'));
    const result = await runInProcess(['deploy', '--dry-run'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--dry-run is for the kubernetes driver, and shipshape.yaml deploys with local');
    expect(existsSync(join(dir, 'deploy'))).toBe(false);
  });
});

/**
 * A real run of `deploy --driver kubernetes`, `deploy status` and `deploy rollback` through the
 * built CLI, with the fake kubectl first on PATH: it records every call and replays the Argo
 * Rollouts status sequences of a healthy rollout, one degraded by its analysis, one that never
 * ends, and the failures of kubectl itself (missing, too old, refused by RBAC).
 */
describe('shipshape deploy --driver kubernetes (a real run against the fake kubectl)', { timeout: 120_000 }, () => {
  const POLL = { SHIPSHAPE_KUBECTL_POLL_MS: '50' };
  const RUN = ['deploy', '--driver', 'kubernetes', '--image', '1.4.0', '--skip-validation', '--context', 'prod'];

  /** The example as a canary, whose five Rollout steps the recorded statuses walk. */
  function canaryProject(): string {
    const dir = tempDir();
    writeFileSync(join(dir, 'shipshape.yaml'), readFileSync(EXAMPLE, 'utf8').replace('strategy: blue-green', 'strategy: canary'));
    return dir;
  }
  const scenario = (gets: Reply[], extra: Scenario['rules'] = []): Scenario => ({
    contexts: ['prod'],
    rules: [
      ...extra,
      ...PREFLIGHT,
      { when: ['apply'], replies: [{ stdout: APPLIED }] },
      { when: ['get', 'rollout.argoproj.io'], replies: gets },
      { when: ['argo', 'rollouts', 'abort'], replies: [{ stdout: "rollout 'support-triage' aborted" }] },
      { when: ['argo', 'rollouts', 'undo'], replies: [{ stdout: "rollout 'support-triage' undo" }] },
    ],
  });
  const history = (dir: string) =>
    (JSON.parse(readFileSync(join(dir, '.shipshape/deployments.json'), 'utf8')) as { deployments: Deployment[] }).deployments;
  const verbs = (calls: string[][]) => calls.map((args) => args.slice(0, args[0] === 'argo' ? 3 : 2).join(' '));

  it('applies what the dry run shows, follows the rollout to promotion, records it, and deploy status reads the cluster', async () => {
    const dir = canaryProject();
    const kubectl = fakeKubectl(
      scenario([
        { stdout: ROLLOUTS.notObserved },
        { stdout: ROLLOUTS.progressing },
        { stdout: ROLLOUTS.pausedAtStep },
        { stdout: rolloutJson({ phase: 'Paused', currentStepIndex: 3, pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '' }] }) },
        { stdout: ROLLOUTS.promoted },
      ]),
    );
    const result = await runCli(RUN, { cwd: dir, env: { ...kubectl.env, ...POLL } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^promoted 1\.4\.0\n/);
    expect(result.stderr).toContain('step 1/3: 10% of traffic to green');
    expect(result.stderr).toContain('analysis run support-triage-6d9f7c8b5d-4 (background): Running');
    expect(verbs(kubectl.calls())).toEqual([
      'version --client',
      'argo rollouts version',
      'apply -f',
      ...Array<string>(5).fill('get rollout.argoproj.io'),
    ]);
    const dry = await runInProcess([...RUN, '--dry-run'], { cwd: dir });
    const lines = dry.stdout.trim().split('\n');
    expect(kubectl.calls()[2]).toEqual(lines[0]!.split(' ').slice(1));
    expect(kubectl.calls()[3]).toEqual(lines[1]!.split(' ').slice(1));

    const [record] = history(dir);
    expect(record).toMatchObject({
      kind: 'rollout',
      driver: 'kubernetes',
      status: 'promoted',
      version: '1.4.0',
      location: 'ghcr.io/example/support-triage:1.4.0',
      strategy: 'canary',
      skippedValidation: true,
    });
    expect(record!.steps!.map((s) => [s.weight, s.verdict])).toEqual([
      [10, 'pass'],
      [50, 'pass'],
    ]);
    expect(existsSync(join(dir, '.shipshape/deploy.lock'))).toBe(false);

    const status = await runInProcess(['deploy', 'status', '--context', 'prod'], { cwd: dir, env: kubectl.env });
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain('serving: 1.4.0');
    expect(status.stdout).toContain('cluster: rollout support-triage Healthy at step 5/5, promoted (namespace support)');
  });

  it('reports a rollout Argo aborted on its failed analysis: exit 1, recorded rolled back, no second abort', async () => {
    const dir = canaryProject();
    const kubectl = fakeKubectl(scenario([{ stdout: ROLLOUTS.progressing }, { stdout: ROLLOUTS.analysisFailed }]));
    const result = await runInProcess(RUN, { cwd: dir, env: { ...kubectl.env, ...POLL } });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^rolled-back 1\.4\.0: RolloutAborted: .*error-rate-percent" assessed Failed/);
    expect(verbs(kubectl.calls())).not.toContain('argo rollouts abort');
    expect(history(dir)[0]).toMatchObject({ status: 'rolled-back', driver: 'kubernetes', reason: expect.stringMatching(/failureLimit/) });
  });

  it('aborts a rollout that has not ended by --timeout', async () => {
    const dir = canaryProject();
    const kubectl = fakeKubectl(scenario([{ stdout: ROLLOUTS.progressing }]));
    const result = await runInProcess([...RUN, '--timeout', '1'], { cwd: dir, env: { ...kubectl.env, SHIPSHAPE_KUBECTL_POLL_MS: '400' } });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('rolled-back 1.4.0: timed out: the rollout had not ended after 1 s');
    expect(verbs(kubectl.calls()).at(-1)).toBe('argo rollouts abort');
  });

  it('on Ctrl-C aborts the rollout, records it, and exits 130', async () => {
    const dir = canaryProject();
    const kubectl = fakeKubectl(scenario([{ stdout: ROLLOUTS.progressing }, { hang: true }]));
    const child = execa(process.execPath, [BIN, ...RUN], {
      cwd: dir,
      env: { ...kubectl.env, CI: 'true', NO_COLOR: '1', ...POLL },
      reject: false,
      stdin: 'ignore',
    });
    for (let i = 0; i < 400 && kubectl.calls().length < 5; i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(verbs(kubectl.calls()).at(-1)).toBe('argo rollouts abort');
    expect(history(dir)[0]).toMatchObject({ status: 'rolled-back', reason: expect.stringMatching(/^interrupted \(Ctrl-C\): aborted/) });
    expect(existsSync(join(dir, '.shipshape/deploy.lock'))).toBe(false);
  });

  it('says kubectl is missing, or too old, or the plugin is missing, before touching anything (exit 2)', async () => {
    const dir = canaryProject();
    const missing = await runInProcess(RUN, { cwd: dir, env: { PATH: tempDir() } });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('kubectl is not installed (not found on PATH)');

    const old = fakeKubectl({
      rules: [
        {
          when: ['version'],
          replies: [{ stdout: JSON.stringify({ clientVersion: { major: '1', minor: '18', gitVersion: 'v1.18.20' } }) }],
        },
      ],
    });
    const tooOld = await runInProcess(RUN, { cwd: dir, env: old.env });
    expect(tooOld.exitCode).toBe(2);
    expect(tooOld.stderr).toContain('kubectl v1.18.20 is too old: the Kubernetes driver needs 1.21 or later');

    const noPlugin = fakeKubectl({
      rules: [PREFLIGHT[0]!, { when: ['argo'], replies: [{ stderr: 'error: unknown command "argo" for "kubectl"', exit: 1 }] }],
    });
    const plugin = await runInProcess(RUN, { cwd: dir, env: noPlugin.env });
    expect(plugin.exitCode).toBe(2);
    expect(plugin.stderr).toContain('the Argo Rollouts kubectl plugin is missing');
    for (const fake of [old, noPlugin]) expect(verbs(fake.calls())).not.toContain('apply -f');
    expect(existsSync(join(dir, 'deploy'))).toBe(false);
    expect(existsSync(join(dir, '.shipshape/deployments.json'))).toBe(false);
  });

  it('turns an RBAC refusal into one line and exit 2, recorded as failed', async () => {
    const dir = canaryProject();
    const forbidden =
      'Error from server (Forbidden): error when creating "deploy/k8s/rollout.yaml": rollouts.argoproj.io "support-triage" is forbidden: User "dev@example.com" cannot create resource "rollouts" in API group "argoproj.io" in the namespace "support"';
    const kubectl = fakeKubectl(scenario([], [{ when: ['apply'], replies: [{ stderr: forbidden, exit: 1 }] }]));
    const result = await runInProcess(RUN, { cwd: dir, env: kubectl.env });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`kubectl apply failed: ${forbidden}`);
    expect(result.stderr).toMatch(/RBAC/);
    expect(history(dir)[0]).toMatchObject({ status: 'failed', driver: 'kubernetes' });
    expect(existsSync(join(dir, '.shipshape/deploy.lock'))).toBe(false);
  });

  it('refuses a second deploy while one holds the lock, and the local-only flags', async () => {
    const dir = canaryProject();
    mkdirSync(join(dir, '.shipshape'));
    writeFileSync(join(dir, '.shipshape/deploy.lock'), JSON.stringify({ pid: process.pid, startedAt: '2026-12-02T01:00:00Z' }));
    const kubectl = fakeKubectl(scenario([{ stdout: ROLLOUTS.promoted }]));
    const locked = await runCli(RUN, { cwd: dir, env: kubectl.env });
    expect(locked.exitCode).toBe(2);
    expect(locked.stderr).toContain(`another deploy (pid ${process.pid}`);
    expect(verbs(kubectl.calls())).not.toContain('apply -f');
    const drill = await runInProcess([...RUN, '--drill'], { cwd: dir, env: kubectl.env });
    expect(drill.exitCode).toBe(2);
    expect(drill.stderr).toContain('--drill is for the local driver');
  });

  it('deploy rollback undoes a promoted rollout back to the previous release, and aborts one in progress', async () => {
    const dir = canaryProject();
    const promoted = (version: string, at: string): Deployment => ({
      id: `id-${version}`,
      kind: 'rollout',
      driver: 'kubernetes',
      specHash: 'h',
      status: 'promoted',
      startedAt: at,
      finishedAt: at,
      version,
      location: `ghcr.io/example/support-triage:${version}`,
    });
    mkdirSync(join(dir, '.shipshape'));
    writeFileSync(
      join(dir, '.shipshape/deployments.json'),
      JSON.stringify({ deployments: [promoted('1.3.0', '2026-12-01T10:00:00Z'), promoted('1.4.0', '2026-12-01T11:00:00Z')] }),
    );
    const kubectl = fakeKubectl(scenario([{ stdout: ROLLOUTS.promoted }, { stdout: ROLLOUTS.progressing }, { stdout: ROLLOUTS.promoted }]));
    const undo = await runInProcess(['deploy', 'rollback', '--context', 'prod'], { cwd: dir, env: { ...kubectl.env, ...POLL } });
    expect(undo.exitCode).toBe(0);
    expect(undo.stdout).toBe('rolled back: rolled back by hand from 1.4.0 to 1.3.0');
    expect(verbs(kubectl.calls()).slice(2)).toEqual([
      'get rollout.argoproj.io',
      'argo rollouts undo',
      'get rollout.argoproj.io',
      'get rollout.argoproj.io',
    ]);
    expect(history(dir).at(-1)).toMatchObject({ kind: 'rollback', driver: 'kubernetes', status: 'rolled-back', version: '1.3.0' });
    const status = await runInProcess(['deploy', 'status', '--context', 'prod'], { cwd: dir, env: kubectl.env });
    expect(status.stdout).toContain('serving: 1.3.0');

    const inFlight = fakeKubectl(scenario([{ stdout: ROLLOUTS.pausedAtStep }]));
    const abort = await runInProcess(['deploy', 'rollback', '--context', 'prod'], { cwd: dir, env: inFlight.env });
    expect(abort.exitCode).toBe(0);
    expect(abort.stdout).toContain('aborted the rollout in progress');
    expect(verbs(inFlight.calls()).at(-1)).toBe('argo rollouts abort');

    const gone = fakeKubectl(scenario([{ stdout: ROLLOUTS.analysisFailed }]));
    const refused = await runInProcess(['deploy', 'rollback', '--context', 'prod'], { cwd: dir, env: gone.env });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('the last rollout was already aborted');
  });

  it('deploy status settles a rollout whose deploy process died from the cluster', async () => {
    const dir = canaryProject();
    mkdirSync(join(dir, '.shipshape'));
    const orphan: Deployment = {
      id: 'orphan',
      kind: 'rollout',
      driver: 'kubernetes',
      specHash: 'h',
      status: 'in-progress',
      startedAt: '2026-12-01T10:00:00Z',
      version: '1.4.0',
      pid: 2 ** 22 + 1,
    };
    writeFileSync(join(dir, '.shipshape/deployments.json'), JSON.stringify({ deployments: [orphan] }));
    const kubectl = fakeKubectl(scenario([{ stdout: ROLLOUTS.promoted }]));
    const status = await runInProcess(['deploy', 'status', '--context', 'prod'], { cwd: dir, env: kubectl.env });
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain('the deploy process died while following the rollout; the cluster carried on: promoted');
    expect(history(dir)[0]).toMatchObject({ status: 'promoted' });
  });
});

/**
 * rollouts: service-switch through the built CLI: the fake kubectl, and a Prometheus on
 * node:http in this process that answers each analysis query, or has no data.
 */
describe('shipshape deploy --driver kubernetes with rollouts: service-switch', { timeout: 120_000 }, () => {
  function switchProject(): string {
    const dir = tempDir();
    const text = readFileSync(EXAMPLE, 'utf8')
      .replace('rollouts: argo', 'rollouts: service-switch')
      .replace('intervalSeconds: 10', 'intervalSeconds: 1')
      .replace(/steps:\n(\s+- .*\n)+/, 'steps:\n    - { weight: 100 }\n');
    writeFileSync(join(dir, 'shipshape.yaml'), text);
    return dir;
  }
  const scenario: Scenario = {
    contexts: ['prod'],
    rules: [
      PREFLIGHT[0]!,
      { when: ['get', 'service'], replies: [{ stderr: 'Error from server (NotFound): services "support-triage" not found', exit: 1 }] },
      { when: ['apply'], replies: [{ stdout: 'deployment.apps/support-triage-green created' }] },
      { when: ['rollout', 'status'], replies: [{ stdout: 'deployment "support-triage-green" successfully rolled out' }] },
      { when: ['patch', 'service'], replies: [{ stdout: 'service/support-triage patched' }] },
    ],
  };
  /** A Prometheus whose every query returns `value` (business queries 0.95), or an empty vector. */
  async function prometheus(value: string | undefined): Promise<{ url: string; queries: string[] }> {
    const queries: string[] = [];
    const server = createServer((request, response) => {
      const query = new URL(request.url ?? '/', 'http://x').searchParams.get('query') ?? '';
      queries.push(query);
      const result = value === undefined ? [] : [{ metric: {}, value: [0, query.includes('ai_business_metric') ? '0.95' : value] }];
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, queries };
  }
  const RUN = ['deploy', '--driver', 'kubernetes', '--image', '2.0.0', '--skip-validation', '--context', 'prod'];

  it('needs --prometheus: its analysis runs here, not in the cluster (exit 2, nothing applied)', async () => {
    const dir = switchProject();
    const kubectl = fakeKubectl(scenario);
    const result = await runInProcess(RUN, { cwd: dir, env: kubectl.env });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--prometheus');
    expect(kubectl.calls()).toEqual([]);
  });

  it('switches the Service once the analysis passes, and not when Prometheus has no data', async () => {
    const dir = switchProject();
    const good = await prometheus('0.5');
    const kubectl = fakeKubectl(scenario);
    const passed = await runInProcess([...RUN, '--prometheus', good.url], { cwd: dir, env: kubectl.env });
    expect(passed.exitCode).toBe(0);
    expect(passed.stdout).toMatch(/^promoted 2\.0\.0\n/);
    expect(good.queries.length).toBeGreaterThan(0);
    const calls = kubectl.calls().map((args) => args.slice(0, 2).join(' '));
    expect(calls).toEqual(['version --client', 'get service', 'apply -f', 'rollout status', 'patch service']);
    expect(kubectl.calls().at(-1)).toContain('{"spec":{"selector":{"app.kubernetes.io/name":"support-triage","slot":"green"}}}');

    const empty = await prometheus(undefined);
    const noData = fakeKubectl(scenario);
    const inconclusive = await runInProcess([...RUN, '--prometheus', empty.url], { cwd: dir, env: noData.env });
    expect(inconclusive.exitCode).toBe(1);
    expect(inconclusive.stdout).toMatch(/^rolled-back 2\.0\.0 .*no data/);
    // Pointed back at the live slot: the Service never moved to the new one.
    expect(noData.calls().at(-1)).toContain('{"spec":{"selector":{"app.kubernetes.io/name":"support-triage","slot":"blue"}}}');
  });
});
