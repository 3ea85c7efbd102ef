import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
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

    const json = await runCli(['deploy', '--driver', 'kubernetes', '--dry-run', '--image', '1.4.0', '--json'], { cwd: dir });
    expect(json.exitCode).toBe(0);
    const planned = JSON.parse(json.stdout) as { lines: string[]; files: { action: string }[] };
    expect(planned.lines).toEqual(expect.arrayContaining([expect.stringMatching(/^kubectl apply/)]));
    expect(planned.files.map((file) => file.action)).not.toContain('create');
  });

  it('refuses a dry run of the local driver (exit 2)', async () => {
    const dir = tempDir();
    copyFileSync(EXAMPLE, join(dir, 'shipshape.yaml'));
    const result = await runCli(['deploy', '--dry-run'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--dry-run is for the kubernetes driver, and shipshape.yaml deploys with local');
    expect(existsSync(join(dir, 'deploy'))).toBe(false);
  });
});
