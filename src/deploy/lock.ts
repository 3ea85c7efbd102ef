/**
 * `.shipshape/deploy.lock`: one deploy of a project at a time. It holds the deploying process's
 * pid and the pids of the versions it started, so a lock left by a dead process (a crash, a
 * kill -9) is detected, its orphans stopped, and the lock cleared.
 */
// eslint-disable-next-line no-restricted-imports -- the exclusive create (open 'wx') is the lock itself; replacing it goes through writeFileAtomic
import { mkdir, open, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { readTextBounded, readTextBoundedSync } from '../fs/read.js';

export const LOCK_FILE = '.shipshape/deploy.lock';

export interface LockContent {
  pid: number;
  startedAt: string;
  /** The deployment this process is running. */
  deployment?: string;
  /** Child processes it started, stopped by whoever finds the lock stale. */
  children?: number[];
}

export interface Lock {
  content: LockContent;
  /** Records a child process in the lock file. */
  track(pid: number): Promise<void>;
  release(): Promise<void>;
}

/** Whether a process with this pid is alive (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (dead, not yet reaped by whoever adopted it) answers signal 0 too: on Linux, ask /proc.
  try {
    return !/^\d+ \(.*\) Z/.test(readTextBoundedSync(`/proc/${pid}/stat`));
  } catch {
    return true;
  }
}

/** Whether the process `pid` exits within `ms`; throws once `signal` aborts (Ctrl-C). */
export async function exitsWithin(pid: number, ms: number, signal?: AbortSignal): Promise<boolean> {
  const until = Date.now() + ms;
  while (alive(pid)) {
    if (signal?.aborted) throw new Error('interrupted');
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

export async function readLock(root: string): Promise<LockContent | undefined> {
  try {
    const value = JSON.parse(await readTextBounded(join(root, LOCK_FILE))) as Partial<LockContent>;
    return typeof value.pid === 'number' ? (value as LockContent) : { pid: 0, startedAt: '' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Unreadable or half-written: no live owner can be named, so it is stale.
    return { pid: 0, startedAt: '' };
  }
}

export type Stale = { stale: LockContent; killed: number[] };

/**
 * Clears a lock whose process is dead, stopping the children it left; undefined when there was
 * no lock. Throws a UserError when a live process holds it.
 */
export async function clearStaleLock(root: string): Promise<Stale | undefined> {
  const held = await readLock(root);
  if (!held) return undefined;
  if (held.pid > 0 && held.pid !== process.pid && alive(held.pid))
    throw new UserError(`another deploy (pid ${held.pid}, since ${held.startedAt}) holds ${LOCK_FILE}`, {
      hint: 'Wait for it to finish, or stop it with Ctrl-C: it rolls back and releases the lock.',
    });
  const killed: number[] = [];
  for (const child of held.children ?? []) {
    if (!alive(child)) continue;
    try {
      process.kill(child, 'SIGKILL');
      killed.push(child);
    } catch {
      // Gone in the meantime.
    }
  }
  await unlink(join(root, LOCK_FILE)).catch(() => {});
  return { stale: held, killed };
}

/** Takes the lock, or throws a UserError naming the live process that holds it. */
export async function acquireLock(root: string, deployment?: string): Promise<Lock> {
  const path = join(root, LOCK_FILE);
  await mkdir(dirname(path), { recursive: true });
  const content: LockContent = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    ...(deployment ? { deployment } : {}),
    children: [],
  };
  try {
    const handle = await open(path, 'wx');
    await handle.writeFile(`${JSON.stringify(content)}\n`);
    await handle.close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const held = await readLock(root);
    throw new UserError(`another deploy (pid ${held?.pid ?? '?'}) holds ${LOCK_FILE}`, { hint: 'Wait for it to finish.' });
  }
  let released = false;
  return {
    content,
    async track(pid) {
      if (released) return;
      content.children = [...(content.children ?? []), pid];
      await writeFileAtomic(path, `${JSON.stringify(content)}\n`);
    },
    async release() {
      if (released) return;
      released = true;
      const held = await readLock(root);
      if (held?.pid === process.pid) await unlink(path).catch(() => {});
    },
  };
}
