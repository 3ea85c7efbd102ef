import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubernetesDryRun, manifestState, MANIFEST_DIR } from '../../../../src/deploy/drivers/kubernetes/dry-run.js';
import { runArgoRelease } from '../../../../src/deploy/drivers/kubernetes/executor.js';
import type { K8sObject } from '../../../../src/deploy/drivers/kubernetes/manifests.js';
import { UserError } from '../../../../src/errors.js';
import { loadSpecFile } from '../../../../src/spec/load.js';
import type { Spec } from '../../../../src/spec/schema.js';
import { EXAMPLE, tempDir } from '../../../helpers/temp.js';
import { APPLIED, ROLLOUTS, fakeKubectl } from './fake-kubectl.js';
import { schemaProblems } from './schemas.js';

let example: Spec;
beforeAll(async () => {
  example = (await loadSpecFile(EXAMPLE)).spec!;
});

const read = (root: string, name: string) => readFileSync(join(root, MANIFEST_DIR, name), 'utf8');

describe('kubernetesDryRun', () => {
  it('writes valid manifests to deploy/k8s/ and returns the kubectl commands a person runs', async () => {
    const root = tempDir();
    const result = await kubernetesDryRun({ root, spec: example, image: 'v1.4.0', context: 'prod' });
    expect(result).toMatchObject({
      mode: 'argo',
      strategy: 'blue-green',
      namespace: 'support',
      image: 'ghcr.io/example/support-triage:v1.4.0',
    });
    expect(result.files).toEqual(
      ['configmap', 'services', 'analysis-template', 'pdb', 'rollout'].map((name) => ({
        path: `deploy/k8s/${name}.yaml`,
        action: 'create',
      })),
    );
    expect(result.secret).toEqual({ name: 'support-triage-secrets', keys: ['TRIAGE_LLM_URL'] });
    expect(result.lines).toEqual([
      'kubectl apply -f deploy/k8s/configmap.yaml -f deploy/k8s/services.yaml -f deploy/k8s/analysis-template.yaml -f deploy/k8s/pdb.yaml -f deploy/k8s/rollout.yaml --context prod --namespace support',
      'kubectl get rollout.argoproj.io support-triage -o json --context prod --namespace support',
    ]);
    for (const { path } of result.files) {
      const text = readFileSync(join(root, path), 'utf8');
      expect(manifestState(text)).toBe('managed');
      for (const doc of parseAllDocuments(text)) expect(await schemaProblems(doc.toJS() as K8sObject), path).toEqual([]);
    }
  });

  it('runs, through the executor, exactly the commands it shows', async () => {
    const root = tempDir();
    const result = await kubernetesDryRun({ root, spec: example, image: 'v1.4.0', context: 'prod' });
    const kubectl = fakeKubectl(
      {
        contexts: ['prod'],
        rules: [
          { when: ['apply'], replies: [{ stdout: APPLIED }] },
          { when: ['get', 'rollout.argoproj.io'], replies: [{ stdout: ROLLOUTS.progressing }, { stdout: ROLLOUTS.promoted }] },
        ],
      },
      root,
    );
    const outcome = await runArgoRelease(result.plan, kubectl.run, { sleep: async () => {} });
    expect(outcome.status).toBe('promoted');
    expect(outcome.commands).toEqual([result.lines[0], result.lines[1], result.lines[1]]);
  });

  it('leaves unchanged files alone, refuses to overwrite a hand-edited one without force, and keeps a taken-over one', async () => {
    const root = tempDir();
    await kubernetesDryRun({ root, spec: example, image: 'v1' });
    const again = await kubernetesDryRun({ root, spec: example, image: 'v1' });
    expect(new Set(again.files.map((f) => f.action))).toEqual(new Set(['unchanged']));

    const edited = read(root, 'pdb.yaml').replace('maxUnavailable: 1', 'maxUnavailable: 2');
    writeFileSync(join(root, MANIFEST_DIR, 'pdb.yaml'), edited);
    const rolloutBefore = read(root, 'rollout.yaml');
    const error = await kubernetesDryRun({ root, spec: example, image: 'v2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/deploy\/k8s\/pdb.yaml was changed by hand/);
    // Nothing was written: the Rollout still runs v1.
    expect(read(root, 'rollout.yaml')).toBe(rolloutBefore);
    expect(read(root, 'pdb.yaml')).toBe(edited);

    const forced = await kubernetesDryRun({ root, spec: example, image: 'v2', force: true });
    expect(forced.files.find((f) => f.path.endsWith('pdb.yaml'))?.action).toBe('overwrite');
    expect(forced.files.find((f) => f.path.endsWith('rollout.yaml'))?.action).toBe('update');
    expect(read(root, 'rollout.yaml')).toContain('ghcr.io/example/support-triage:v2');

    const takenOver = read(root, 'configmap.yaml').split('\n').slice(1).join('\n').replace('LOG_LEVEL: info', 'LOG_LEVEL: debug');
    writeFileSync(join(root, MANIFEST_DIR, 'configmap.yaml'), takenOver);
    const third = await kubernetesDryRun({ root, spec: example, image: 'v3' });
    expect(third.files.find((f) => f.path.endsWith('configmap.yaml'))?.action).toBe('kept');
    expect(read(root, 'configmap.yaml')).toBe(takenOver);
  });

  it('writes nothing through a folder that leads out of the project', async () => {
    const root = tempDir();
    const outside = tempDir();
    symlinkSync(outside, join(root, 'deploy'));
    await expect(kubernetesDryRun({ root, spec: example, image: 'v1' })).rejects.toThrow(/symbolic link out of the project/);
    expect(existsSync(join(outside, 'k8s'))).toBe(false);
  });

  it('tags the spec image with the git commit when no --image is given, and asks for one outside git', async () => {
    const root = tempDir();
    await expect(kubernetesDryRun({ root, spec: example })).rejects.toThrow(/no image to deploy: pass --image TAG/);
    const git = (...args: string[]) => execa('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: root });
    await git('init', '-q');
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'a.txt'), 'a');
    await git('add', '.');
    await git('commit', '-qm', 'first');
    const commit = (await git('rev-parse', '--short=12', 'HEAD')).stdout.trim();
    const result = await kubernetesDryRun({ root, spec: example });
    expect(result.image).toBe(`ghcr.io/example/support-triage:${commit}`);
    expect(read(root, 'rollout.yaml')).toContain(`value: ${commit}`);
  });

  it('service-switch: the commands apply the release slot, wait for it, then switch the Service', async () => {
    const root = tempDir();
    const spec = structuredClone(example);
    spec.deploy!.kubernetes!.rollouts = 'service-switch';
    const result = await kubernetesDryRun({ root, spec, image: 'v1', namespace: 'support-staging' });
    expect(result.lines).toEqual([
      'kubectl apply -f deploy/k8s/configmap.yaml -f deploy/k8s/services.yaml -f deploy/k8s/deployment-green.yaml -f deploy/k8s/pdb.yaml --namespace support-staging',
      'kubectl rollout status deployment/support-triage-green --timeout=600s --namespace support-staging',
      `kubectl patch service support-triage --type merge -p '{"spec":{"selector":{"app.kubernetes.io/name":"support-triage","slot":"green"}}}' --namespace support-staging`,
    ]);
    expect(read(root, 'deployment-green.yaml')).toContain('namespace: support-staging');
  });
});
