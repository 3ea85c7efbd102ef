/** A check worker thread's start: the check bundle (dist/check-worker.cjs) through V8's code cache. */
import { fileURLToPath } from 'node:url';
import type { serveCheckRequests } from '../check/worker.js';
import { loadBundle } from './boot.js';

const { exports, saveCache } = loadBundle<{ serveCheckRequests: typeof serveCheckRequests }>(
  fileURLToPath(new URL('../check-worker.cjs', import.meta.url)),
  'check-worker',
  { saveOnExit: false },
);
// A worker is terminated, not exited: its cache is written once its first batch has compiled the check.
exports.serveCheckRequests(saveCache);
