/** The metric sources of `review`, by kind. */
import { fileSource } from './file/index.js';
import { interactiveSource } from './interactive/index.js';
import { prometheusSource } from './prometheus/index.js';
import type { MetricSource, SourceKind } from './types.js';

export const SOURCES = {
  prometheus: prometheusSource,
  file: fileSource,
  interactive: interactiveSource,
} satisfies Record<SourceKind, MetricSource>;

export type { AskNumber, MetricSource, SourceKind } from './types.js';
