/**
 * The service under test as a child process: started in its own process group (so a shell or npm in front of it goes
 * too), awaited until it answers HTTP, watched for a crash, and stopped with its whole group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { UserError } from '../errors.js';

const KEEP_LINES = 40;

export interface ServiceOptions {
  /** The command and its arguments; a single string is run by the shell. */
  command: readonly string[] | string;
  cwd: string;
  env: Record<string, string>;
  /** How long to wait for the first HTTP answer (60 s by default). */
  startTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface RunningService {
  url: string;
  /** The last lines the service printed (stdout and stderr), for a failure message. */
  output(): string;
  /** Resolves with the exit code (or signal) when the service exits on its own; never while it runs. */
  readonly exited: Promise<string>;
  /** Whether it exited on its own. */
  readonly crashed: boolean;
  /** Stops the service and everything it started: SIGTERM to its group, SIGKILL after `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/** A free TCP port of 127.0.0.1 (the kernel's pick; released before the service takes it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Runs a command to its end in `cwd` (the build); throws a UserError with its last output when it fails. */
export async function runToEnd(command: readonly string[], cwd: string, signal?: AbortSignal): Promise<void> {
  const [file, ...args] = command;
  const lines: string[] = [];
  const child = spawn(file!, args, {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: 'true', NO_COLOR: '1' },
  });
  const keep = (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const abort = () => killGroup(child, 'SIGKILL');
  signal?.addEventListener('abort', abort, { once: true });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exit) => resolve(exit));
    }).catch((error: unknown) => {
      throw new UserError(`could not run ${command.join(' ')}: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (signal?.aborted) return;
    if (code !== 0)
      throw new UserError(`${command.join(' ')} failed (exit ${code}):\n${lines.slice(-KEEP_LINES).join('\n')}`, {
        hint: 'Fix the build of the service, then run validate again.',
      });
  } finally {
    signal?.removeEventListener('abort', abort);
    killGroup(child, 'SIGKILL');
  }
}

/**
 * Starts the service on a free port of 127.0.0.1 (PORT and HOST in its environment) and resolves once it answers
 * HTTP. Throws a UserError (exit 2) with its last output when it exits or does not answer in time.
 */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const port = await freePort();
  const env = { ...process.env, ...options.env, PORT: String(port), HOST: '127.0.0.1', NO_COLOR: '1' };
  const shell = typeof options.command === 'string';
  const [file, ...args] = shell ? [options.command as string] : (options.command as readonly string[]);
  const child = spawn(file!, args, { cwd: options.cwd, env, detached: true, shell, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > KEEP_LINES * 2) lines.splice(0, lines.length - KEEP_LINES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let crashed = false;
  let stopping = false;
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => {
      crashed = !stopping;
      lines.push(error.message);
      resolve('error');
    });
    child.once('exit', (code, signal) => {
      crashed = !stopping;
      resolve(code === null ? `signal ${signal}` : `code ${code}`);
    });
  });
  let stopped: Promise<void> | undefined;
  const service: RunningService = {
    url: `http://127.0.0.1:${port}`,
    output: () => lines.slice(-KEEP_LINES).join('\n'),
    exited,
    get crashed() {
      return crashed;
    },
    stop(graceMs = 3000) {
      stopped ??= (async () => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) return killGroup(child, 'SIGKILL');
        killGroup(child, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
        // Whatever the service started and left behind.
        killGroup(child, 'SIGKILL');
      })();
      return stopped;
    },
  };

  const deadline = performance.now() + (options.startTimeoutMs ?? 60_000);
  const describe = shell ? (options.command as string) : (options.command as readonly string[]).join(' ');
  try {
    for (;;) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (crashed) {
        const how = await exited;
        throw new UserError(`the service exited (${how}) before it answered: ${describe}\n${service.output()}`, {
          hint: 'Fix what its output says, or pass --start with the command that starts it.',
        });
      }
      if (performance.now() > deadline)
        throw new UserError(
          `the service did not answer on ${service.url} within ${Math.round((options.startTimeoutMs ?? 60_000) / 1000)} s: ${describe}\n${service.output()}`,
          {
            hint: 'It must listen on the PORT and HOST of its environment; pass --start-timeout for a slow start.',
          },
        );
      try {
        await fetch(`${service.url}/healthz`, { signal: AbortSignal.timeout(1000) });
        return service;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await service.stop(500);
    throw error;
  }
}
