/**
 * `shipshape deploy` on real processes: the built CLI, the local driver, a tiny fixture service
 * whose behaviour.json (copied into each release) makes a version healthy, failing, crashing,
 * unready or without its business gauge.
 */
import { cpSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it, vi } from 'vitest';
import { alive } from '../../src/deploy/lock.js';
import { specHash } from '../../src/stages/hash.js';
import type { Deployment } from '../../src/state/deployments.js';
import { BIN, runCli } from '../helpers/cli.js';
import { ROOT, tempDir } from '../helpers/temp.js';

const FIXTURE = join(ROOT, 'test/fixtures/deploy/service');
const TIMEOUT = 120_000;

function project(): string {
  const dir = tempDir();
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

const behave = (dir: string, behaviour: object) => writeFileSync(join(dir, 'behaviour.json'), JSON.stringify(behaviour));
const history = (dir: string): Deployment[] =>
  (JSON.parse(readFileSync(join(dir, '.shipshape/deployments.json'), 'utf8')) as { deployments: Deployment[] }).deployments;
const last = (dir: string): Deployment => history(dir).at(-1)!;

/** Makes the first step pause `seconds`: long enough for a fault that starts late to land inside the rollout. */
const pause = (dir: string, seconds: number) =>
  writeFileSync(
    join(dir, 'shipshape.yaml'),
    readFileSync(join(dir, 'shipshape.yaml'), 'utf8').replace(/pauseSeconds: \d+ \}/, `pauseSeconds: ${seconds} }`),
  );

const deploy = (dir: string, ...args: string[]) => runCli(['deploy', '--skip-validation', '--load', '100', ...args], { cwd: dir });

describe('shipshape deploy (local driver)', () => {
  it(
    'promotes a healthy first release, then rolls back a bad second one on its error rate',
    async () => {
      const dir = project();
      const first = await deploy(dir, '--version', 'v1');
      expect(first.stderr).toContain('step 2/2');
      expect(first.exitCode).toBe(0);
      expect(last(dir)).toMatchObject({
        version: 'v1',
        status: 'promoted',
        skippedValidation: true,
        driver: 'local',
        strategy: 'blue-green',
      });
      expect(last(dir).steps?.map((s) => s.verdict)).toEqual(['pass', 'pass']);

      behave(dir, { errorRate: 1 });
      const second = await deploy(dir, '--version', 'v2');
      expect(second.exitCode).toBe(1);
      expect(last(dir)).toMatchObject({ version: 'v2', previousVersion: 'v1', status: 'rolled-back' });
      expect(last(dir).reason).toMatch(/error-rate-percent .* over the maximum 5/);

      const status = await runCli(['deploy', 'status', '--json'], { cwd: dir });
      expect(JSON.parse(status.stdout)).toMatchObject({ serving: { version: 'v1' }, last: { version: 'v2', status: 'rolled-back' } });
      const listed = await runCli(['deploy', 'history'], { cwd: dir });
      expect(listed.stdout).toMatch(/v1 +rollout +promoted/);
      expect(listed.stdout).toMatch(/v2 +rollout +rolled-back/);
    },
    TIMEOUT,
  );

  it(
    'refuses to start without a passing validation of the current spec, unless --skip-validation',
    async () => {
      const dir = project();
      const missing = await runCli(['deploy'], { cwd: dir });
      expect(missing.exitCode).toBe(2);
      expect(missing.stderr).toMatch(/passing validation of the current spec: no \.shipshape\/reports\/validation\.json/);
      mkdirSync(join(dir, '.shipshape/reports'), { recursive: true });
      const hash = specHash(readFileSync(join(dir, 'shipshape.yaml')));
      writeFileSync(join(dir, '.shipshape/reports/validation.json'), JSON.stringify({ specHash: hash, passed: false }));
      const failed = await runCli(['deploy'], { cwd: dir });
      expect(failed.exitCode).toBe(2);
      writeFileSync(join(dir, '.shipshape/reports/validation.json'), JSON.stringify({ specHash: hash, passed: true }));
      const passed = await runCli(['deploy', '--load', '100', '--version', 'v1'], { cwd: dir });
      expect(passed.exitCode).toBe(0);
      expect(last(dir).skippedValidation).toBeUndefined();
    },
    TIMEOUT,
  );

  it(
    'rolls back a green that crashes, and one that fails its readiness check',
    async () => {
      const dir = project();
      pause(dir, 5);
      behave(dir, { crashAfterMs: 1500 });
      const crashed = await deploy(dir, '--version', 'v1');
      expect(crashed.exitCode).toBe(1);
      expect(last(dir).status).toBe('rolled-back');
      expect(last(dir).reason).toMatch(/green \(v1\) (exited with code 3|failed its readiness check)/);

      behave(dir, { unreadyAfterMs: 1500 });
      const unready = await deploy(dir, '--version', 'v2');
      expect(unready.exitCode).toBe(1);
      expect(last(dir).reason).toMatch(/green \(v2\) failed its readiness check: \/readyz answered 503/);
    },
    TIMEOUT,
  );

  it(
    'fails a step with no data: too few requests, or no business gauge, is never a pass',
    async () => {
      const dir = project();
      const quiet = await runCli(['deploy', '--skip-validation', '--version', 'v1'], { cwd: dir });
      expect(quiet.exitCode).toBe(1);
      expect(last(dir).reason).toMatch(/step 1 \(weight 25%\) ended without a conclusive analysis: 0 requests, fewer than the 5/);

      behave(dir, { noGauge: true });
      const blind = await deploy(dir, '--version', 'v2');
      expect(blind.exitCode).toBe(1);
      expect(last(dir).reason).toMatch(/no routing_accuracy gauge in \/metrics/);
    },
    TIMEOUT,
  );

  it(
    'rolls back on Ctrl-C and exits 130, leaving no version running',
    async () => {
      const dir = project();
      writeFileSync(
        join(dir, 'shipshape.yaml'),
        readFileSync(join(dir, 'shipshape.yaml'), 'utf8').replace('pauseSeconds: 1 }', 'pauseSeconds: 60 }'),
      );
      const child = execa(process.execPath, [BIN, 'deploy', '--skip-validation', '--load', '50', '--version', 'v1'], {
        cwd: dir,
        env: { CI: 'true', NO_COLOR: '1' },
        reject: false,
      });
      await new Promise<void>((resolve) => {
        child.stderr?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('step 1/2')) resolve();
        });
      });
      const lock = JSON.parse(readFileSync(join(dir, '.shipshape/deploy.lock'), 'utf8')) as { children: number[] };
      child.kill('SIGINT');
      const result = await child;
      expect(result.exitCode).toBe(130);
      expect(last(dir)).toMatchObject({ status: 'rolled-back' });
      expect(last(dir).reason).toMatch(/interrupted/);
      expect(lock.children.length).toBe(1);
      await vi.waitFor(() => expect(lock.children.filter(alive)).toEqual([]), { timeout: 10_000 });
    },
    TIMEOUT,
  );

  it(
    'after a kill -9 mid-rollout, deploy status says what happened, records it and stops the orphans',
    async () => {
      const dir = project();
      writeFileSync(
        join(dir, 'shipshape.yaml'),
        readFileSync(join(dir, 'shipshape.yaml'), 'utf8').replace('pauseSeconds: 1 }', 'pauseSeconds: 60 }'),
      );
      const child = execa(process.execPath, [BIN, 'deploy', '--skip-validation', '--load', '50', '--version', 'v1'], {
        cwd: dir,
        env: { CI: 'true', NO_COLOR: '1' },
        reject: false,
      });
      await new Promise<void>((resolve) => {
        child.stderr?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('step 1/2')) resolve();
        });
      });
      const lock = JSON.parse(readFileSync(join(dir, '.shipshape/deploy.lock'), 'utf8')) as { pid: number; children: number[] };
      child.kill('SIGKILL');
      await child;
      expect(lock.children.filter(alive).length).toBe(1);

      // A second deploy meanwhile would be refused only by a live holder: this one is dead.
      const status = await runCli(['deploy', 'status'], { cwd: dir });
      expect(status.exitCode).toBe(0);
      expect(status.stdout).toMatch(/recovered: deployment .* of v1: the deploy process \(pid \d+\) died mid-rollout/);
      expect(last(dir)).toMatchObject({ version: 'v1', status: 'failed' });
      await vi.waitFor(() => expect(lock.children.filter(alive)).toEqual([]), { timeout: 10_000 });
      const again = await runCli(['deploy', 'status'], { cwd: dir });
      expect(again.stdout).not.toContain('recovered');
    },
    TIMEOUT,
  );

  it(
    'clears a stale lock of a dead process, and refuses while a live one holds it',
    async () => {
      const dir = project();
      const gone = await execa(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
      mkdirSync(join(dir, '.shipshape'), { recursive: true });
      writeFileSync(join(dir, '.shipshape/deploy.lock'), JSON.stringify({ pid: Number(gone.stdout), startedAt: 'then' }));
      const held = execa(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
      try {
        const cleared = await deploy(dir, '--version', 'v1');
        expect(cleared.exitCode).toBe(0);
        expect(cleared.stderr).toMatch(/cleared a stale \.shipshape\/deploy\.lock of pid \d+/);

        writeFileSync(join(dir, '.shipshape/deploy.lock'), JSON.stringify({ pid: held.pid, startedAt: 'now' }));
        const refused = await deploy(dir, '--version', 'v2');
        expect(refused.exitCode).toBe(2);
        expect(refused.stderr).toMatch(new RegExp(`another deploy \\(pid ${held.pid}`));
      } finally {
        held.kill();
        await held.catch(() => {});
      }
    },
    TIMEOUT,
  );

  it(
    'deploy rollback returns to the release promoted before, and the history says so',
    async () => {
      const dir = project();
      expect((await deploy(dir, '--version', 'v1')).exitCode).toBe(0);
      expect((await deploy(dir, '--version', 'v2')).exitCode).toBe(0);
      const back = await runCli(['deploy', 'rollback'], { cwd: dir });
      expect(back.exitCode).toBe(0);
      expect(back.stdout).toContain('rolled back by hand from v2 to v1');
      expect(last(dir)).toMatchObject({ kind: 'rollback', version: 'v1', previousVersion: 'v2', status: 'rolled-back' });
      const status = await runCli(['deploy', 'status', '--json'], { cwd: dir });
      expect(JSON.parse(status.stdout)).toMatchObject({ serving: { version: 'v1', kind: 'rollback' } });
    },
    TIMEOUT,
  );

  it(
    'a drill passes only when the automatic rollback fires, and never counts as a promotion',
    async () => {
      const dir = project();
      expect((await deploy(dir, '--version', 'v1')).exitCode).toBe(0);
      const drill = await runCli(['deploy', '--skip-validation', '--drill', '--drill-error-rate', '0.5', '--version', 'd1', '--json'], {
        cwd: dir,
      });
      expect(drill.exitCode).toBe(0);
      const result = JSON.parse(drill.stdout) as { drill: NonNullable<Deployment['drill']> };
      expect(result.drill.passed).toBe(true);
      expect(result.drill.secondsToDetection).toBeGreaterThanOrEqual(0);
      expect(result.drill.secondsToBlue).toBeGreaterThanOrEqual(result.drill.secondsToDetection!);
      expect(result.drill.failedRequests).toBeGreaterThan(0);
      expect(last(dir)).toMatchObject({ status: 'rolled-back', drill: { passed: true } });
      const status = await runCli(['deploy', 'status', '--json'], { cwd: dir });
      expect(JSON.parse(status.stdout)).toMatchObject({ serving: { version: 'v1' } });
      const stage = await runCli(['status', '--json'], { cwd: dir });
      const stages = (JSON.parse(stage.stdout) as { stages: { number: number; state: string }[] }).stages;
      expect(stages.find((s) => s.number === 6)?.state).toBe('done');
    },
    TIMEOUT,
  );
});
