/** A check worker thread: takes batches of spec files, returns their results. It lives for one run. */
import { parentPort } from 'node:worker_threads';
import { UserError } from '../errors.js';
import { checkFile } from './check-file.js';
import { policyLoader, type WorkerError, type WorkerRequest } from './engine.js';

const policyFor = policyLoader();

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
    const e = error as Error;
    const report: WorkerError =
      e instanceof UserError
        ? {
            name: e.name,
            message: e.message,
            exitCode: e.exitCode,
            ...(e.hint ? { hint: e.hint } : {}),
            ...(e.file ? { file: e.file } : {}),
            ...(e.position ? { position: e.position } : {}),
          }
        : { name: e.name, message: e.message };
    parentPort!.postMessage({ error: report });
  }
});
