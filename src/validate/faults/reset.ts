import type { Socket } from 'node:net';
import type { FaultHandler } from './types.js';

/** Drops the connection without an answer (a TCP reset where the platform has one). */
export const reset: FaultHandler = {
  summary: 'drops the connection without an answer',
  async handle({ req }) {
    const socket = req.socket as Socket & { resetAndDestroy?: () => Socket };
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  },
};
