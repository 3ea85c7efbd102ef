/**
 * The output formats of `shipshape check`: each turns a CheckResult into text. Colour comes in
 * through a Paint, so the core never knows about terminals.
 */
import type { Paint } from '../../text/paint.js';
import type { CheckResult } from '../types.js';

export const FORMAT_NAMES = ['stylish', 'json', 'sarif', 'junit', 'github'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export interface FormatOptions {
  paint: Paint;
  /** Paths in the report are made relative to this directory where they are inside it. */
  cwd: string;
  /** shipshape's version, for reports that name the tool. */
  version: string;
}

export type Formatter = (result: CheckResult, options: FormatOptions) => string;

/**
 * Each format loads when it is asked for: SARIF alone pulls in node:crypto (~10 ms of start-up),
 * which a `check` printing stylish output should not pay for.
 */
export const FORMATTERS = {
  stylish: async () => (await import('./stylish.js')).stylish,
  json: async () => (await import('./json.js')).json,
  sarif: async () => (await import('./sarif.js')).sarif,
  junit: async () => (await import('./junit.js')).junit,
  github: async () => (await import('./github.js')).github,
} satisfies Record<FormatName, () => Promise<Formatter>>;
