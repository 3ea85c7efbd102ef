/** A check worker thread: takes batches of spec files, returns their results. It lives for one run. */
import { parentPort } from 'node:worker_threads';
import { checkFile } from './check-file.js';
import { policyLoader, type WorkerRequest } from './engine.js';
import { toWorkerError } from './pool.js';

/** Answers the engine's batches; `afterFirst` runs once the first batch is answered. */
export function serveCheckRequests(afterFirst?: () => void): void {
  const policyFor = policyLoader();
  let first = true;
  parentPort?.on('message', async (request: WorkerRequest) => {
    try {
      const today = new Date(request.today);
      const results = [];
      for (const task of request.tasks) {
        results.push(
          await checkFile(task.absolute, task.display, {
            today,
            ...(request.stage ? { stage: request.stage } : {}),
            ...(task.policy ? { policy: await policyFor(task.policy) } : {}),
          }),
        );
      }
      parentPort!.postMessage({ results });
    } catch (error) {
      parentPort!.postMessage({ error: toWorkerError(error) });
    }
    if (first) {
      first = false;
      afterFirst?.();
    }
  });
}
