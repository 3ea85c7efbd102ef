/**
 * A rule tester in the manner of ESLint's RuleTester: a rule, the specs it must pass and the
 * specs it must report on, each invalid case listing the reports it expects by messageId (and
 * data, when given), never by wording. Each case becomes a vitest test.
 */
import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../../src/check/messages.js';
import type { MessageData, Rule, StageNumber } from '../../../src/check/types.js';
import type { DocPath } from '../../../src/spec/doc-path.js';
import type { Spec } from '../../../src/spec/schema.js';
import { run } from './helpers.js';

export interface ValidCase {
  name: string;
  spec: Spec;
  /** The stage to check at (the stage the spec reached by default). */
  stage?: StageNumber;
}

export interface ExpectedReport {
  messageId: string;
  /** When given, the report's data must equal it. */
  data?: MessageData;
  /** When given, the report's path must equal it. */
  path?: DocPath;
}

export interface InvalidCase extends ValidCase {
  /** Every report, in order: a case that reports more or fewer fails. */
  reports: ExpectedReport[];
}

/** What a report is, in the terms a case states it, for one readable comparison. */
function asExpected(report: { messageId: string; data?: MessageData; path: DocPath }, expected: ExpectedReport | undefined) {
  return {
    messageId: report.messageId,
    ...(expected?.data === undefined ? {} : { data: report.data ?? {} }),
    ...(expected?.path === undefined ? {} : { path: report.path }),
  };
}

export function testRule(rule: Rule, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  describe(`${rule.id} (rule tester)`, () => {
    for (const valid of cases.valid) {
      it(`passes: ${valid.name}`, () => {
        expect(run(rule, valid.spec, valid.stage).map((report) => report.message)).toEqual([]);
      });
    }
    for (const invalid of cases.invalid) {
      it(`reports: ${invalid.name}`, () => {
        if (invalid.reports.length === 0) throw new Error(`the invalid case "${invalid.name}" lists no report: make it a valid case`);
        const reports = run(rule, invalid.spec, invalid.stage);
        expect(reports.map((report, i) => asExpected(report, invalid.reports[i]))).toEqual(invalid.reports);
        // Every report renders: its messageId is declared and its data fills the template.
        for (const report of reports) expect(() => renderMessage(rule, report.messageId, report.data)).not.toThrow();
      });
    }
  });
}
