import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Scenario } from '../../spec/schema.js';

/** A scenario's fault, as the spec has it. */
export type Fault = NonNullable<Scenario['fault']>;
export type FaultType = Fault['type'];

/** The upstream's answer, read whole. */
export interface UpstreamAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** What a fault gets to work with for one request the proxy was told to fault. */
export interface FaultContext {
  fault: Fault;
  req: IncomingMessage;
  res: ServerResponse;
  /** How many requests this proxy has faulted, this one included: picks among a fault's variants in turn. */
  count: number;
  /** Seeded, uniform on [0, 1): the same seed and requests give the same faults. */
  random: () => number;
  /** Passes the request on and pipes the answer back, untouched. */
  forward(): Promise<void>;
  /** Passes the request on and reads the answer whole, to be rewritten or slowed. */
  fetch(): Promise<UpstreamAnswer | undefined>;
  /** Waits `ms`; false when the caller went away or the proxy is closing. */
  sleep(ms: number): Promise<boolean>;
}

/** One kind of fault: how the proxy answers a request it faults. */
export interface FaultHandler {
  /** What the fault does, for `--help` and docs. */
  summary: string;
  handle(context: FaultContext): Promise<void>;
}
