/**
 * Sharing CPU-bound work between the main thread and worker threads: a queue of batches that
 * each takes from when free, so a slow batch never leaves the others idle. Errors cross the
 * thread boundary as plain data and come back as the UserError they were.
 */
import { Worker } from 'node:worker_threads';
import { UserError } from '../errors.js';

/** How a worker reports an error: enough to rebuild a UserError with its file and position. */
export interface WorkerError {
  name: string;
  message: string;
  hint?: string;
  exitCode?: number;
  file?: string;
  position?: { line: number; column: number };
}

export function toWorkerError(error: unknown): WorkerError {
  const e = error as Error;
  if (!(e instanceof UserError)) return { name: e.name, message: e.message };
  return {
    name: e.name,
    message: e.message,
    exitCode: e.exitCode,
    ...(e.hint ? { hint: e.hint } : {}),
    ...(e.file ? { file: e.file } : {}),
    ...(e.position ? { position: e.position } : {}),
  };
}

function fromWorkerError({ name, message, hint, exitCode, file, position }: WorkerError): Error {
  if (name !== 'UserError') return new Error(message);
  return new UserError(message, {
    ...(hint ? { hint } : {}),
    ...(exitCode ? { exitCode } : {}),
    ...(file ? { file } : {}),
    ...(position ? { position } : {}),
  });
}

export interface PoolOptions<T, R> {
  /** The built worker script: it answers each message with `{ results }` or `{ error }`. */
  entry: string;
  workers: number;
  batchSize: number;
  /** The message that asks a worker to do a batch. */
  request(batch: T[]): unknown;
  /** Does one item in this thread. */
  local(item: T): Promise<R>;
}

/** Every item's result, in the items' order. */
export async function shareWork<T, R>(items: readonly T[], options: PoolOptions<T, R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const take = (): number[] => {
    const batch: number[] = [];
    while (batch.length < options.batchSize && next < items.length) batch.push(next++);
    return batch;
  };

  const runWorker = (): Promise<void> =>
    new Promise((done, fail) => {
      const worker = new Worker(options.entry);
      let current: number[] = [];
      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        void worker.terminate();
        if (error) fail(error);
        else done();
      };
      const send = () => {
        current = take();
        if (current.length === 0) finish();
        else worker.postMessage(options.request(current.map((i) => items[i]!)));
      };
      worker.on('message', (message: { results?: R[]; error?: WorkerError }) => {
        if (message.error) return finish(fromWorkerError(message.error));
        message.results!.forEach((result, k) => (results[current[k]!] = result));
        send();
      });
      worker.on('error', finish);
      // A worker that dies without an answer must fail the run, not leave it waiting forever.
      worker.on('exit', (code) => finish(new Error(`a check worker exited with code ${code} before it finished`)));
      send();
    });

  const runMain = async () => {
    for (let batch = take(); batch.length > 0; batch = take()) {
      for (const i of batch) {
        results[i] = await options.local(items[i]!);
        // Reading is synchronous: let a worker that has finished its batch get the next one.
        await new Promise(setImmediate);
      }
    }
  };
  await Promise.all([runMain(), ...Array.from({ length: options.workers }, runWorker)]);
  return results;
}
