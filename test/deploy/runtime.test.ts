// A deploy that meets the local supervisor of the last rollout still shutting down (nothing left to serve, or
// `deploy stop`): its control port is closed but its process not yet gone. It waits for it, then starts afresh.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { control, ensureRuntime, RUNTIME_DIR, RUNTIME_FILE } from '../../src/deploy/drivers/local/runtime.js';
import { UserError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp.js';

/** A process that stands for a supervisor mid-shutdown: alive for `seconds`, answering nothing on the control port it claims. */
function silentSupervisor(root: string, seconds: number): number {
  const child = spawn(process.execPath, ['-e', `setTimeout(() => {}, ${seconds * 1000})`], { stdio: 'ignore' });
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  mkdirSync(join(root, RUNTIME_DIR), { recursive: true });
  const state = {
    pid: child.pid!,
    port: 9,
    url: 'http://127.0.0.1:9',
    // Port 9 (discard): nothing listens there, so every control request is refused at once.
    control: { port: 9, token: 'x' },
    startedAt: new Date().toISOString(),
    weight: 0,
  };
  writeFileSync(join(root, RUNTIME_FILE), JSON.stringify(state));
  return child.pid!;
}

describe('ensureRuntime', () => {
  it('waits for a supervisor that stopped answering to exit, then starts a new one', async () => {
    const root = tempDir();
    const old = silentSupervisor(root, 1);
    const state = await ensureRuntime(root, {});
    onTestFinished(() =>
      control(state, { op: 'stop' }, 10_000).then(
        () => undefined,
        () => undefined,
      ),
    );
    expect(state.pid).not.toBe(old);
    expect(await control(state, { op: 'status' }, 10_000)).toMatchObject({ pid: state.pid });
  });

  it('refuses, naming the pid, a supervisor that stays silent past the wait; Ctrl-C ends the wait', async () => {
    const root = tempDir();
    const old = silentSupervisor(root, 60);
    const error = await ensureRuntime(root, { shutdownWaitMs: 300 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      `the local supervisor (pid ${old}) is alive but has not answered on its control port for 0.3 s`,
    );
    // Ctrl-C ends the wait at once.
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    await expect(ensureRuntime(root, { signal: stop.signal })).rejects.toThrow('interrupted');
  });
});
