/** The interface every metric source implements (prometheus/, file/, interactive/), and what it is given. */
import type { Actuals, MetricQuery } from '../actuals.js';

export const SOURCE_KINDS = ['prometheus', 'file', 'interactive'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Asks a person for a number (src/ui/ implements it; tests pass a fake). Undefined: not measured. */
export type AskNumber = (question: { message: string }) => Promise<number | undefined>;

export interface SourceOptions {
  /** The values to measure. */
  queries: readonly MetricQuery[];
  /** prometheus: the base URL of the HTTP API. */
  url?: string;
  /** prometheus: per query, in milliseconds. */
  timeoutMs?: number;
  /** file: the snapshot's absolute path, and its name as shown. */
  file?: string;
  display?: string;
  /** interactive: how to ask. */
  ask?: AskNumber;
  signal?: AbortSignal;
}

export interface MetricSource {
  kind: SourceKind;
  /** Where the numbers come from, as shown in the review (no credentials). */
  describe(options: SourceOptions): string;
  read(options: SourceOptions): Promise<Actuals>;
}
