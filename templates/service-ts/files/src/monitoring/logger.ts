// Structured logs: one JSON object per line on stdout, for the log pipeline to parse.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level: string; service: string; version: string }): Logger {
  return pino({
    level: options.level,
    base: { service: options.service, version: options.version },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Keys never reach the logs, even when an error carries a request.
    redact: { paths: ['apiKey', '*.apiKey', 'headers.authorization', '*.headers.authorization'], censor: '[redacted]' },
  });
}
