/**
 * One version of the service as a child process (execa): started from its release folder with
 * the `start` script of its package.json, on its own port, with the environment variables the
 * spec's `${VAR}` references name; ready once GET /readyz answers 200.
 */
import { createServer } from 'node:net';
import { execa, type ResultPromise } from 'execa';
import { UserError } from '../../../errors.js';
import { readPackage } from './release.js';

export interface VersionProcess {
  version: string;
  port: number;
  url: string;
  pid: number | undefined;
  /** Set once the process has exited: how. */
  exited(): string | undefined;
  /** Readiness: GET /readyz answers 200 within the timeout. */
  ready(timeoutMs?: number): Promise<{ ok: boolean; detail: string }>;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** A free loopback port, picked by the system. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The `${NAME}` references in the spec's text: the upstreams and keys the service reads from its environment. */
export function specVariables(specText: string): string[] {
  return [...new Set([...specText.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1]!))].sort();
}

/** The command of a `start` script: `node file` runs on this Node, anything else through a shell. */
function command(script: string): { file: string; args: string[]; shell: boolean } {
  const words = script.trim().split(/\s+/);
  if (words[0] === 'node' && words.every((w) => /^[\w./@=:-]+$/.test(w)))
    return { file: process.execPath, args: words.slice(1), shell: false };
  // exec: the shell becomes the command, so a signal to the child reaches the service itself.
  return { file: `exec ${script}`, args: [], shell: true };
}

export async function startVersion(options: {
  dir: string;
  version: string;
  role: 'blue' | 'green';
  variables: readonly string[];
  env?: Record<string, string>;
}): Promise<VersionProcess> {
  const pkg = await readPackage(options.dir);
  const script = pkg.scripts?.['start'];
  if (!script)
    throw new UserError(`the release ${options.version} has no start script in package.json`, {
      hint: 'Add "scripts": { "start": "node dist/main.js" } (generate writes one).',
    });
  const port = await freePort();
  const passed = Object.fromEntries(
    options.variables.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]])),
  );
  const { file, args, shell } = command(script);
  const child: ResultPromise = execa(file, args, {
    cwd: options.dir,
    shell,
    env: {
      ...passed,
      ...options.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      SHIPSHAPE_RELEASE: options.version,
      SHIPSHAPE_ROLE: options.role,
    },
    extendEnv: true,
    reject: false,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
    buffer: false,
  });
  let exit: string | undefined;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const ended = child.then((result) => {
    exit = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode ?? '?'}`;
    // The last line that says something: Node ends a crash with its version, not the error.
    const tail = stderr
      .trim()
      .split('\n')
      .filter((line) => line.trim() && !/^Node\.js v\d/.test(line.trim()))
      .slice(-1)[0];
    if (tail && result.exitCode !== 0 && !result.signal) exit += ` (${tail.slice(0, 200)})`;
  });
  const url = `http://127.0.0.1:${port}`;

  const readyOnce = async (timeoutMs: number): Promise<{ ok: boolean; detail: string }> => {
    if (exit) return { ok: false, detail: exit };
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
      await response.body?.cancel();
      return response.status === 200 ? { ok: true, detail: 'ready' } : { ok: false, detail: `/readyz answered ${response.status}` };
    } catch (error) {
      return {
        ok: false,
        detail: `/readyz did not answer (${(error as Error).name === 'TimeoutError' ? 'timeout' : (error as Error).message})`,
      };
    }
  };

  return {
    version: options.version,
    port,
    url,
    pid: child.pid,
    exited: () => exit,
    ready: (timeoutMs = 2000) => readyOnce(timeoutMs),
    async stop(graceMs = 5000) {
      if (exit) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await ended;
      clearTimeout(timer);
    },
  };
}

/** Waits until the version is ready, it exits, or the time is up. */
export async function waitReady(version: VersionProcess, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not started';
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new Error('interrupted');
    const exited = version.exited();
    if (exited) throw new Error(`${version.version} ${exited} before it was ready`);
    const check = await version.ready(1000);
    if (check.ok) return;
    last = check.detail;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${version.version} was not ready within ${timeoutMs / 1000} s (${last})`);
}
