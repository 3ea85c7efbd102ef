import type { FaultHandler } from './types.js';

const DEFAULT_STATUS = 503;

/** Answers `status` at once with an OpenAI-style error body; the upstream never sees the request. */
export const error: FaultHandler = {
  summary: 'answers status (503 by default) with an error body',
  async handle({ fault, req, res }) {
    req.resume();
    const status = fault.status ?? DEFAULT_STATUS;
    const body = JSON.stringify({
      error: {
        message: `shipshape validate injected a ${status}`,
        type: status >= 500 ? 'server_error' : 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  },
};
