/**
 * validate's building blocks for other stages (deploy's analysis runs load through the same proxy) and for
 * `npm run bench`: bundled as dist/validate/index.js.
 */
export { startFaultProxy, type FaultProxy, type FaultProxyOptions, type FaultWindow } from './proxy.js';
export { runLoad, type LoadOptions, type LoadResult, type RequestResult } from '../load/traffic.js';
export { startMockModel, type MockModel, type MockModelOptions } from './mock-model.js';
export { measure } from './measure.js';
export { pollMetrics, parsePrometheus, METRIC_NAMES } from './metrics.js';
export { FAULTS, type Fault, type FaultType } from './faults/index.js';
export { runValidate, type ValidateOptions, type ValidateResult } from './run.js';
