import type { Spec } from '../spec/schema.js';
import type { StageNumber } from './types.js';

/** The spec sections that belong to each stage after the first. */
export const STAGE_SECTIONS: ReadonlyArray<[StageNumber, readonly (keyof Spec)[]]> = [
  [2, ['architecture']],
  [4, ['resilience']],
  [5, ['scenarios']],
  [6, ['deploy']],
  [7, ['monitoring', 'handoff']],
  [8, ['review']],
];

/** The stage a spec has reached: the highest stage one of whose sections it holds. */
export function specStage(spec: Spec): StageNumber {
  let stage: StageNumber = 1;
  for (const [number, sections] of STAGE_SECTIONS) {
    if (sections.some((section) => spec[section] !== undefined)) stage = number;
  }
  return stage;
}
