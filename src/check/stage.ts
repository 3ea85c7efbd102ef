import type { Spec } from '../spec/schema.js';
import { STAGE_TABLE, type StageNumber } from '../stages/table.js';

/** The stage a spec has reached: the highest stage one of whose sections it holds. */
export function specStage(spec: Spec): StageNumber {
  let stage: StageNumber = 1;
  for (const { number, sections } of STAGE_TABLE) {
    if (sections.some((section) => spec[section] !== undefined)) stage = number;
  }
  return stage;
}
