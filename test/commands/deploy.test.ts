/**
 * `shipshape deploy` on real processes: the built CLI, the local driver, a tiny fixture service
 * whose behaviour.json (copied into each release) makes a version healthy, failing, crashing,
 * unready or without its business gauge.
 */
import { cpSync, existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { RuntimeState } from '../../src/deploy/drivers/local/runtime.js';
import { alive } from '../../src/deploy/lock.js';
import { specHash } from '../../src/stages/hash.js';
import type { Deployment } from '../../src/state/deployments.js';
import { BIN, runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { ROOT, tempDir } from '../helpers/temp.js';

const FIXTURE = join(ROOT, 'test/fixtures/deploy/service');
const TIMEOUT = 240_000;

function project(): string {
  const dir = tempDir();
  cpSync(FIXTURE, dir, { recursive: true });
  // The local service outlives `deploy`: stopped at the end of each test (and by itself once .shipshape is gone).
  onTestFinished(async () => void (await runInProcess(['deploy', 'stop'], { cwd: dir })));
  return dir;
}

const runtime = (dir: string) => JSON.parse(readFileSync(join(dir, '.shipshape/local/runtime.json'), 'utf8')) as RuntimeState;
const edit = (dir: string, from: string | RegExp, to: string) =>
  writeFileSync(join(dir, 'shipshape.yaml'), readFileSync(join(dir, 'shipshape.yaml'), 'utf8').replace(from, to));

/** Which version answers each of `n` requests through the proxy. */
async function answers(url: string, n: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    const response = await fetch(`${url}/v1/predict`, { method: 'POST', body: '{}' });
    seen.push(response.status === 200 ? ((await response.json()) as { version: string }).version : `status ${response.status}`);
  }
  return seen;
}

/** Starts a deploy in the background and resolves once its standard error shows `marker`. */
function background(dir: string, args: string[], marker: string) {
  const child = execa(process.execPath, [BIN, 'deploy', '--skip-validation', ...args], {
    cwd: dir,
    env: { CI: 'true', NO_COLOR: '1' },
    reject: false,
  });
  let stderr = '';
  const reached = new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes(marker)) resolve();
    });
    void child.then(() => reject(new Error(`deploy ended before "${marker}": ${stderr}`)));
  });
  return { child, reached, stderr: () => stderr };
}

const behave = (dir: string, behaviour: object) => writeFileSync(join(dir, 'behaviour.json'), JSON.stringify(behaviour));
const history = (dir: string): Deployment[] =>
  (JSON.parse(readFileSync(join(dir, '.shipshape/deployments.json'), 'utf8')) as { deployments: Deployment[] }).deployments;
const last = (dir: string): Deployment => history(dir).at(-1)!;

/** Makes the first step pause `seconds`: long enough for a fault that starts late to land inside the rollout. */
const pause = (dir: string, seconds: number) =>
  writeFileSync(
    join(dir, 'shipshape.yaml'),
    readFileSync(join(dir, 'shipshape.yaml'), 'utf8').replace(/pauseSeconds: [\d.]+ \}/, `pauseSeconds: ${seconds} }`),
  );

const deploy = (dir: string, ...args: string[]) => runInProcess(['deploy', '--skip-validation', '--load', '100', ...args], { cwd: dir });

describe('shipshape deploy (local driver)', () => {
  it(
    'promotes a healthy first release, then rolls back a bad second one on its error rate',
    async () => {
      const dir = project();
      // One rollout through a whole process (bin/run.js); the others in this process (test/helpers/in-process.ts).
      const first = await runCli(['deploy', '--skip-validation', '--load', '100', '--version', 'v1'], { cwd: dir });
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

      const status = await runInProcess(['deploy', 'status', '--json'], { cwd: dir });
      expect(JSON.parse(status.stdout)).toMatchObject({ serving: { version: 'v1' }, last: { version: 'v2', status: 'rolled-back' } });
      const listed = await runInProcess(['deploy', 'history'], { cwd: dir });
      expect(listed.stdout).toMatch(/v1 +rollout +promoted/);
      expect(listed.stdout).toMatch(/v2 +rollout +rolled-back/);

      // Stopped right after a rollout: the supervisor answers before it exits, and leaves no runtime file.
      const pid = runtime(dir).pid;
      const stopped = await runInProcess(['deploy', 'stop'], { cwd: dir });
      expect(stopped.stderr).toBe('');
      expect(stopped.exitCode).toBe(0);
      expect(stopped.stdout).toMatch(/stopped the local service on http:\/\/127\.0\.0\.1:\d+ \(v1\)/);
      expect(alive(pid)).toBe(false);
      expect(existsSync(join(dir, '.shipshape/local/runtime.json'))).toBe(false);
    },
    TIMEOUT,
  );

  it(
    "gives each version the bundled pack's env, under the variables the spec names",
    async () => {
      const dir = project();
      // A project of service-ts: its template.yaml sets SHUTDOWN_LINGER_MS, as only the local proxy talks to a version.
      mkdirSync(join(dir, '.shipshape'), { recursive: true });
      const pack = { name: 'service-ts', version: '1.0.0', source: { kind: 'bundled', name: 'service-ts' } };
      writeFileSync(join(dir, '.shipshape/manifest.json'), JSON.stringify({ pack }));
      const env = { TRIAGE_LLM_URL: 'http://127.0.0.1:9/v1' };
      expect((await runInProcess(['deploy', '--skip-validation', '--load', '100', '--version', 'v1'], { cwd: dir, env })).exitCode).toBe(0);
      const seen = (await (await fetch(`${runtime(dir).url}/env`)).json()) as Record<string, string | null>;
      expect(seen).toEqual({ SHUTDOWN_LINGER_MS: '0', TRIAGE_LLM_URL: 'http://127.0.0.1:9/v1' });
    },
    TIMEOUT,
  );

  it(
    'refuses to start without a passing validation of the current spec, unless --skip-validation',
    async () => {
      const dir = project();
      const missing = await runInProcess(['deploy'], { cwd: dir });
      expect(missing.exitCode).toBe(2);
      expect(missing.stderr).toMatch(/passing validation of the current spec: no \.shipshape\/reports\/validation\.json/);
      mkdirSync(join(dir, '.shipshape/reports'), { recursive: true });
      const hash = specHash(readFileSync(join(dir, 'shipshape.yaml')));
      writeFileSync(join(dir, '.shipshape/reports/validation.json'), JSON.stringify({ specHash: hash, passed: false }));
      const failed = await runInProcess(['deploy'], { cwd: dir });
      expect(failed.exitCode).toBe(2);
      writeFileSync(join(dir, '.shipshape/reports/validation.json'), JSON.stringify({ specHash: hash, passed: true }));
      const passed = await runInProcess(['deploy', '--load', '100', '--version', 'v1'], { cwd: dir });
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
      const quiet = await runInProcess(['deploy', '--skip-validation', '--version', 'v1'], { cwd: dir });
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
        readFileSync(join(dir, 'shipshape.yaml'), 'utf8').replace('pauseSeconds: 0.5 }', 'pauseSeconds: 60 }'),
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
      const running = runtime(dir);
      expect(running.green?.pid).toBeGreaterThan(0);
      child.kill('SIGINT');
      const result = await child;
      expect(result.exitCode).toBe(130);
      expect(last(dir)).toMatchObject({ status: 'rolled-back' });
      expect(last(dir).reason).toMatch(/interrupted/);
      // A first release rolled back leaves nothing to serve: the supervisor stops green and itself.
      await vi.waitFor(() => expect([running.pid, running.green!.pid!].filter(alive)).toEqual([]), { timeout: 10_000 });
    },
    TIMEOUT,
  );

  it(
    'after a kill -9 of the deploy mid-rollout, blue keeps serving and deploy status records the abort',
    async () => {
      const dir = project();
      expect((await deploy(dir, '--version', 'v1')).exitCode).toBe(0);
      pause(dir, 60);
      const rollout = background(dir, ['--load', '50', '--version', 'v2'], 'step 1/2');
      await rollout.reached;
      // The step is announced just before the weight is set.
      await vi.waitFor(() => expect(runtime(dir)).toMatchObject({ live: { version: 'v1' }, green: { version: 'v2' }, weight: 25 }));
      const during = runtime(dir);
      rollout.child.kill('SIGKILL');
      await rollout.child;

      // The proxy and blue outlive the deploy: traffic flows, all of it to v1 once the supervisor noticed.
      await vi.waitFor(async () => expect(new Set(await answers(during.url, 10))).toEqual(new Set(['v1'])), { timeout: 10_000 });
      // The supervisor moves the traffic first, then drains and stops green: its exit may come a moment later.
      await vi.waitFor(() => expect(alive(during.green!.pid!)).toBe(false), { timeout: 10_000 });
      expect(alive(during.live!.pid!)).toBe(true);

      const status = await runInProcess(['deploy', 'status'], { cwd: dir });
      expect(status.exitCode).toBe(0);
      expect(status.stdout).toMatch(/recovered: deployment .* of v2: rollout aborted: the deploy process \(pid \d+\) died mid-rollout/);
      expect(status.stdout).toMatch(/all traffic back on v1 and stopped v2/);
      expect(status.stdout).toMatch(/serving: v1/);
      expect(last(dir)).toMatchObject({ version: 'v2', status: 'failed' });
      const again = await runInProcess(['deploy', 'status'], { cwd: dir });
      expect(again.stdout).not.toContain('recovered');
      // The next deploy takes over the same proxy, with v1 as blue.
      pause(dir, 0.5);
      const next = await deploy(dir, '--version', 'v3');
      expect(next.stderr).not.toMatch(/starting it cold/);
      expect({ ...last(dir), steps: undefined }).toMatchObject({ version: 'v3', previousVersion: 'v1', status: 'promoted' });
      expect(runtime(dir)).toMatchObject({ url: during.url, live: { version: 'v3' } });
    },
    TIMEOUT,
  );

  it(
    'restarts a live release that dies between rollouts, and deploy status says so',
    async () => {
      const dir = project();
      expect((await deploy(dir, '--version', 'v1')).exitCode).toBe(0);
      const before = runtime(dir);
      process.kill(before.live!.pid!, 'SIGKILL');
      // Noticed within half a second, started again after a second, on a new port behind the same proxy.
      await vi.waitFor(
        () => expect(runtime(dir).live).toMatchObject({ version: 'v1', restarts: { count: 1, lastExit: 'was killed by SIGKILL' } }),
        {
          timeout: 30_000,
          interval: 250,
        },
      );
      const after = runtime(dir);
      expect(after.live!.pid).not.toBe(before.live!.pid);
      expect(alive(after.live!.pid!)).toBe(true);
      expect(new Set(await answers(after.url, 5))).toEqual(new Set(['v1']));
      const status = await runInProcess(['deploy', 'status'], { cwd: dir });
      expect(status.stdout).toMatch(/v1 was restarted once, last at .*: was killed by SIGKILL/);
      expect(readFileSync(join(dir, '.shipshape/local/supervisor.log'), 'utf8')).toMatch(/live v1 was killed by SIGKILL: restarted/);
    },
    TIMEOUT,
  );

  it(
    'deploy rollback switches to the release kept warm, and starts it cold when its pid is stale',
    async () => {
      const dir = project();
      edit(dir, 'scaleDownDelaySeconds: 0', 'scaleDownDelaySeconds: 300');
      expect((await deploy(dir, '--version', 'v1')).exitCode).toBe(0);
      expect((await deploy(dir, '--version', 'v2')).exitCode).toBe(0);
      const promoted = runtime(dir);
      expect(promoted).toMatchObject({ live: { version: 'v2' }, warm: { version: 'v1' } });

      const back = await runInProcess(['deploy', 'rollback'], { cwd: dir });
      expect(back.exitCode).toBe(0);
      expect(back.stderr).toContain(`v1 is still warm (pid ${promoted.warm!.pid})`);
      expect(back.stdout).toContain('rolled back by hand from v2 to v1 (still warm: traffic switched)');
      const switched = runtime(dir);
      expect(switched).toMatchObject({ url: promoted.url, live: { version: 'v1', pid: promoted.warm!.pid }, warm: { version: 'v2' } });
      expect(new Set(await answers(switched.url, 5))).toEqual(new Set(['v1']));

      // v2 is warm now; its process dies: the next rollback says so and starts it cold.
      process.kill(switched.warm!.pid!, 'SIGKILL');
      await vi.waitFor(() => expect(alive(switched.warm!.pid!)).toBe(false), { timeout: 10_000 });
      const cold = await runInProcess(['deploy', 'rollback'], { cwd: dir });
      expect(cold.exitCode).toBe(0);
      expect(cold.stderr).toContain(`the warm v2's pid ${switched.warm!.pid} is stale`);
      expect(cold.stdout).toContain('rolled back by hand from v1 to v2 (cold start)');
      expect(new Set(await answers(switched.url, 5))).toEqual(new Set(['v2']));
    },
    TIMEOUT,
  );

  it(
    'with rollback.automatic: false a failed analysis pauses: exit 3 without a terminal, or waits for deploy promote',
    async () => {
      const dir = project();
      edit(dir, 'automatic: true', 'automatic: false');
      expect((await deploy(dir, '--version', 'v1')).exitCode).toBe(0);

      behave(dir, { errorRate: 1 });
      const undecided = await deploy(dir, '--version', 'v2');
      expect(undecided.exitCode).toBe(3);
      expect(undecided.stderr).toMatch(/paused \(rollback\.automatic: false\): 1 failed analyses/);
      expect(undecided.stderr).toMatch(/evidence: error-rate-percent 100 \(fail/);
      expect(last(dir)).toMatchObject({ version: 'v2', status: 'rolled-back', paused: { decision: 'abort', holdAt: 'blue' } });
      expect(last(dir).reason).toMatch(/none can be given without a terminal/);

      pause(dir, 60);
      const waiting = background(dir, ['--load', '50', '--wait', '--version', 'v3'], 'paused');
      await waiting.reached;
      expect(runtime(dir)).toMatchObject({ live: { version: 'v1' }, green: { version: 'v3' }, weight: 0 });
      const status = await runInProcess(['deploy', 'status'], { cwd: dir });
      expect(status.stdout).toMatch(/paused: 1 failed analyses/);
      const promote = await runInProcess(['deploy', 'promote'], { cwd: dir });
      expect(promote.exitCode).toBe(0);
      expect(promote.stdout).toMatch(/promoted v3: promoted by hand \(deploy promote\) after the rollout paused/);
      expect((await waiting.child).exitCode).toBe(0);
      expect(last(dir)).toMatchObject({ version: 'v3', status: 'promoted', paused: { decision: 'promote' } });
      expect(runtime(dir)).toMatchObject({ live: { version: 'v3' } });
      const none = await runInProcess(['deploy', 'promote'], { cwd: dir });
      expect(none.exitCode).toBe(2);
      expect(none.stderr).toContain('no rollout is paused');
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
      const back = await runInProcess(['deploy', 'rollback'], { cwd: dir });
      expect(back.exitCode).toBe(0);
      expect(back.stdout).toContain('rolled back by hand from v2 to v1');
      expect(last(dir)).toMatchObject({ kind: 'rollback', version: 'v1', previousVersion: 'v2', status: 'rolled-back' });
      const status = await runInProcess(['deploy', 'status', '--json'], { cwd: dir });
      expect(JSON.parse(status.stdout)).toMatchObject({ serving: { version: 'v1', kind: 'rollback' } });
    },
    TIMEOUT,
  );

  it(
    'a drill passes only when the automatic rollback fires, and never counts as a promotion',
    async () => {
      const dir = project();
      expect((await deploy(dir, '--version', 'v1')).exitCode).toBe(0);
      const drill = await runInProcess(
        ['deploy', '--skip-validation', '--drill', '--drill-error-rate', '0.5', '--version', 'd1', '--json'],
        {
          cwd: dir,
        },
      );
      expect(drill.exitCode).toBe(0);
      const result = JSON.parse(drill.stdout) as { drill: NonNullable<Deployment['drill']> };
      expect(result.drill.passed).toBe(true);
      expect(result.drill.secondsToDetection).toBeGreaterThanOrEqual(0);
      expect(result.drill.secondsToBlue).toBeGreaterThanOrEqual(result.drill.secondsToDetection!);
      expect(result.drill.failedRequests).toBeGreaterThan(0);
      expect(last(dir)).toMatchObject({ status: 'rolled-back', drill: { passed: true } });
      const status = await runInProcess(['deploy', 'status', '--json'], { cwd: dir });
      expect(JSON.parse(status.stdout)).toMatchObject({ serving: { version: 'v1' } });
      const stage = await runInProcess(['status', '--json'], { cwd: dir });
      const stages = (JSON.parse(stage.stdout) as { stages: { number: number; state: string }[] }).stages;
      expect(stages.find((s) => s.number === 6)?.state).toBe('done');
    },
    TIMEOUT,
  );
});
