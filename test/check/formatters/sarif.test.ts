import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import type { Log, Result } from 'sarif';
import { describe, expect, it } from 'vitest';
import { sarif } from '../../../src/check/formatters/sarif.js';
import { plainPaint } from '../../../src/text/paint.js';
import type { CheckResult } from '../../../src/check/types.js';
import { AWKWARD, CWD, bigResult, cleanResult } from './fixture.js';

const schema = JSON.parse(
  readFileSync(join(process.cwd(), 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
);
// The official schema's `language` pattern is not a valid Unicode regular expression, so ajv must not add the u flag.
// Both are CommonJS: under NodeNext their default import is module.exports, whose `default` is the export.
const ajv = new AjvDraft04.default({ strict: false, allErrors: true, unicodeRegExp: false });
ajvFormats.default(ajv);
const validateSarif = ajv.compile(schema);

const options = { paint: plainPaint, cwd: CWD, version: '1.2.3' };
const render = (result: CheckResult): Log => JSON.parse(sarif(result, options)) as Log;
const resultsOf = (log: Log): Result[] => log.runs[0]!.results!;

describe('the sarif format', () => {
  it('is valid SARIF 2.1.0 by the official schema', () => {
    for (const result of [bigResult(), cleanResult()]) {
      const log = render(result);
      expect(validateSarif(log), JSON.stringify(validateSarif.errors, null, 2)).toBe(true);
    }
  });

  it('is checked by a validator that rejects what GitHub would reject', () => {
    // Given a log the schema must refuse (columns start at 1)
    const log = render(bigResult());
    resultsOf(log)[0]!.locations![0]!.physicalLocation!.region!.startColumn = 0;
    // Then the validator refuses it: the validity test above can fail
    expect(validateSarif(log)).toBe(false);
  });

  it('describes the tool and each rule that ran', () => {
    const log = render(bigResult());
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const driver = log.runs[0]!.tool.driver;
    expect(driver).toMatchObject({ name: 'shipshape', version: '1.2.3', informationUri: 'https://github.com/shipshape-dev/shipshape' });
    expect(driver.rules!.find((rule) => rule.id === 'latency-budget')).toEqual({
      id: 'latency-budget',
      name: 'LatencyBudget',
      shortDescription: { text: 'Checks latency-budget.' },
      fullDescription: { text: 'Why latency-budget matters.' },
      help: {
        text: expect.stringContaining('Try this: Fix latency-budget.'),
        markdown: expect.stringContaining('**Try this.** Fix latency-budget.'),
      },
      helpUri: 'https://github.com/shipshape-dev/shipshape/blob/main/docs/rules.md#latency-budget',
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['shipshape', 'stage-4'], stage: 4 },
    });
    expect(driver.rules!.find((rule) => rule.id === 'review-owner')!.defaultConfiguration).toEqual({ level: 'note' });
  });

  it('points every ruleIndex at the rule of that id, adding rules that did not run', () => {
    const log = render(bigResult());
    const rules = log.runs[0]!.tool.driver.rules!;
    const results = resultsOf(log);
    expect(results).toHaveLength(6);
    for (const result of results) expect(rules[result.ruleIndex!]!.id).toBe(result.ruleId);
    expect(new Set(rules.map((rule) => rule.id)).size).toBe(rules.length);
    expect(rules.find((rule) => rule.id === 'policy-required')).toMatchObject({
      name: 'PolicyRequired',
      defaultConfiguration: { level: 'warning' },
    });
  });

  it('reports each finding with its level, message, hint and location', () => {
    const results = resultsOf(render(bigResult()));
    expect(results.map((result) => [result.ruleId, result.level])).toEqual([
      ['cost-budget', 'warning'],
      ['review-owner', 'note'],
      ['latency-budget', 'error'],
      ['no-secrets', 'error'],
      ['policy-required', 'warning'],
      ['parse', 'error'],
    ]);
    const latency = results[2]!;
    expect(latency.message.text).toBe(
      `${AWKWARD}\nTry this: Lower retries.maxAttempts to 2, or raise "slo.latency.p95Ms" & <tell> the owner.`,
    );
    expect(latency.locations).toEqual([
      {
        physicalLocation: {
          artifactLocation: { uri: 'services/b/shipshape.yaml', uriBaseId: '%SRCROOT%' },
          region: { startLine: 12, startColumn: 7, endLine: 14, endColumn: 3 },
        },
      },
    ]);
    expect(results[1]!.message.text).toBe('review.owner is not set.');
  });

  it('marks waived findings as accepted external suppressions', () => {
    const results = resultsOf(render(bigResult()));
    const waived = results.filter((result) => result.suppressions);
    expect(waived.map((result) => result.ruleId)).toEqual(['no-secrets']);
    expect(waived[0]!.suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification: 'Test key, rotated: see SEC-12, 100% (owner: team-ml, expires 2031-01-31); shipshape.policy.yaml',
      },
    ]);
  });

  it('roots relative paths at the working directory, and keeps files outside it absolute', () => {
    const result = bigResult();
    result.results[1]!.findings.push({
      ruleId: 'schema',
      severity: 'error',
      message: 'Unknown key.',
      file: '/elsewhere/my specs/shipshape.yaml',
      range: { line: 1, column: 1, endLine: 1, endColumn: 2 },
    });
    const log = render(result);
    expect(log.runs[0]!.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///home/ci/repo/' } });
    const outside = resultsOf(log).find((r) => r.ruleId === 'schema')!;
    expect(outside.locations![0]!.physicalLocation!.artifactLocation).toEqual({ uri: 'file:///elsewhere/my%20specs/shipshape.yaml' });
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
  });

  it('keeps fingerprints stable when lines move, and distinct between findings', () => {
    const before = resultsOf(render(bigResult())).map((r) => r.partialFingerprints!['primaryLocationLineHash']);
    const moved = bigResult();
    for (const finding of moved.results[0]!.findings)
      finding.range = { ...finding.range, line: finding.range.line + 10, endLine: finding.range.endLine + 10 };
    const after = resultsOf(render(moved)).map((r) => r.partialFingerprints!['primaryLocationLineHash']);
    expect(after).toEqual(before);
    expect(new Set(before).size).toBe(before.length);
    for (const hash of before) expect(hash).toMatch(/^[0-9a-f]{16}:1$/);

    // A finding at another path gets another fingerprint; the same one twice gets a second occurrence.
    const other = bigResult();
    other.results[0]!.findings[0]!.path = ['resilience', 'timeouts'];
    other.results[0]!.findings.push({ ...other.results[0]!.findings[1]! });
    const hashes = resultsOf(render(other)).map((r) => r.partialFingerprints!['primaryLocationLineHash']!);
    expect(hashes).not.toContain(before[2]);
    expect(hashes.filter((hash) => hash.startsWith(before[0]!.split(':')[0]!))).toEqual([before[0], before[0]!.replace(/:1$/, ':2')]);
  });

  it('says the run was not fully successful when a file could not be read', () => {
    const invocation = render(bigResult()).runs[0]!.invocations![0]!;
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications![0]!.message.text).toContain('services/c/broken.shipshape.yaml');
    expect(render(cleanResult()).runs[0]!.invocations).toEqual([{ executionSuccessful: true }]);
  });

  it('repairs ranges SARIF would reject', () => {
    const result = bigResult();
    result.results[0]!.findings[0]!.range = { line: 0, column: 0, endLine: 0, endColumn: 0 };
    result.results[0]!.findings[1]!.range = { line: 5, column: 9, endLine: 5, endColumn: 3 };
    const log = render(result);
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
    const regions = resultsOf(log).map((r) => r.locations![0]!.physicalLocation!.region);
    expect(regions).toContainEqual({ startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 });
    expect(regions).toContainEqual({ startLine: 5, startColumn: 9, endLine: 5, endColumn: 9 });
  });
});
