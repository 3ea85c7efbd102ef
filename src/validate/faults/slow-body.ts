import type { FaultHandler, UpstreamAnswer } from './types.js';

const DEFAULT_BYTES_PER_SECOND = 100;
const TICK_MS = 50;

/** Sends the upstream's status and headers at once, then its body at `bytesPerSecond`. */
export const slowBody: FaultHandler = {
  summary: 'headers at once, then the body at bytesPerSecond',
  async handle({ fault, fetch, res, sleep }) {
    const answer = await fetch();
    if (answer === undefined || res.destroyed) return;
    const perTick = Math.max(1, Math.round(((fault.bytesPerSecond ?? DEFAULT_BYTES_PER_SECOND) * TICK_MS) / 1000));
    const headers: UpstreamAnswer['headers'] = { ...answer.headers, 'content-length': String(answer.body.length) };
    delete headers['transfer-encoding'];
    res.writeHead(answer.status, headers);
    res.flushHeaders();
    for (let at = 0; at < answer.body.length; at += perTick) {
      if (at > 0 && !(await sleep(TICK_MS))) return;
      res.write(answer.body.subarray(at, at + perTick));
    }
    res.end();
  },
};
