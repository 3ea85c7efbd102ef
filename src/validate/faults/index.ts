/** Every fault type of the spec (scenarios[].fault.type) and how the proxy injects it. */
import { error } from './error.js';
import { latency } from './latency.js';
import { malformed } from './malformed.js';
import { reset } from './reset.js';
import { slowBody } from './slow-body.js';
import { timeout } from './timeout.js';
import type { FaultHandler, FaultType } from './types.js';

export type { Fault, FaultHandler, FaultType, UpstreamAnswer } from './types.js';

export const FAULTS = {
  latency,
  error,
  timeout,
  reset,
  malformed,
  'slow-body': slowBody,
} satisfies Record<FaultType, FaultHandler>;
