import type { FaultHandler } from './types.js';

/** Never answers: the request is held until the caller gives up (or the proxy closes). */
export const timeout: FaultHandler = {
  summary: 'never answers: hangs until the caller gives up',
  async handle({ req, sleep }) {
    req.resume();
    await sleep(Number.POSITIVE_INFINITY);
  },
};
