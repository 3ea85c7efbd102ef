import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { junit } from '../../../src/check/formatters/junit.js';
import type { CheckResult } from '../../../src/check/types.js';
import { AWKWARD, bigResult, cleanResult } from './fixture.js';

interface Attrs {
  [key: string]: unknown;
}
interface TestCase extends Attrs {
  classname: string;
  name: string;
  failure?: { message: string; type: string; '#text': string };
  error?: { message: string; type: string; '#text': string };
  skipped?: { message: string };
  'system-out'?: string;
}
interface Suite extends Attrs {
  name: string;
  testcase: TestCase[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: (name) => name === 'testsuite' || name === 'testcase',
});

function parse(result: CheckResult): { xml: string; root: Attrs & { testsuite: Suite[] } } {
  const xml = junit(result);
  expect(XMLValidator.validate(xml)).toBe(true);
  return { xml, root: parser.parse(xml).testsuites };
}

const counts = (node: Attrs) => ({ tests: node['tests'], failures: node['failures'], errors: node['errors'], skipped: node['skipped'] });

describe('the junit format', () => {
  it('counts tests, failures, errors and skips overall and per file', () => {
    const { root } = parse(bigResult());
    expect(root['name']).toBe('shipshape');
    expect(counts(root)).toEqual({ tests: '7', failures: '1', errors: '1', skipped: '2' });
    expect(root.testsuite.map((suite) => [suite.name, counts(suite)])).toEqual([
      ['services/a/shipshape.yaml', { tests: '1', failures: '0', errors: '0', skipped: '0' }],
      ['services/b/shipshape.yaml', { tests: '5', failures: '1', errors: '0', skipped: '2' }],
      ['services/c/broken.shipshape.yaml', { tests: '1', failures: '0', errors: '1', skipped: '0' }],
    ]);
  });

  it('gives a clean file one passing test case', () => {
    const { root } = parse(cleanResult());
    expect(counts(root)).toEqual({ tests: '2', failures: '0', errors: '0', skipped: '0' });
    expect(root.testsuite[0]!.testcase).toEqual([{ classname: 'a.shipshape.yaml', name: 'all checks' }]);
  });

  it('names each test case by rule and location, and keeps messages intact through escaping', () => {
    const { root } = parse(bigResult());
    const cases = root.testsuite[1]!.testcase;
    expect(cases.map((c) => c.name)).toEqual([
      'cost-budget services/b/shipshape.yaml:3:1',
      'review-owner services/b/shipshape.yaml:3:12',
      'latency-budget services/b/shipshape.yaml:12:7',
      'no-secrets services/b/shipshape.yaml:40:15',
      'policy-required services/b/shipshape.yaml:100:2',
    ]);
    expect(cases.every((c) => c.classname === 'services/b/shipshape.yaml')).toBe(true);
    const latency = cases[2]!;
    expect(latency.failure!.message).toBe(AWKWARD);
    expect(latency.failure!.type).toBe('error');
    expect(latency.failure!['#text']).toBe(
      `${AWKWARD}\nTry this: Lower retries.maxAttempts to 2, or raise "slo.latency.p95Ms" & <tell> the owner.\nat services/b/shipshape.yaml:12:7`,
    );
  });

  it('makes a warning a failure only when it fails the run, as the exit code says', () => {
    // Under --fail-severity error (the default) a warning passes, with its text in <system-out>.
    const passing = parse(bigResult()).root.testsuite[1]!.testcase[0]!;
    expect(passing.failure).toBeUndefined();
    expect(passing['system-out']).toBe(
      'warning: Cost per month is 120% of the budget, over by $1,200.\nTry this: Use a cheaper tier.\nat services/b/shipshape.yaml:3:1',
    );
    // Under --fail-severity warn, or over --max-warnings, it fails.
    for (const change of [{ failSeverity: 'warn' as const }, { tooManyWarnings: true }]) {
      const failing = parse({ ...bigResult(), ...change }).root.testsuite[1]!.testcase[0]!;
      expect(failing.failure).toMatchObject({ message: 'Cost per month is 120% of the budget, over by $1,200.', type: 'warn' });
      expect(failing['system-out']).toBeUndefined();
    }
  });

  it('skips info findings and waived ones, saying why', () => {
    const cases = parse(bigResult()).root.testsuite[1]!.testcase;
    expect(cases[1]!.skipped).toEqual({ message: 'info: review.owner is not set.' });
    expect(cases[1]!.failure).toBeUndefined();
    expect(cases[3]!.skipped).toEqual({ message: 'waived: Test key, rotated: see SEC-12, 100% (owner: team-ml, expires 2031-01-31)' });
    expect(cases[3]!.failure).toBeUndefined();
  });

  it('reports an unreadable file as an error, replacing characters XML 1.0 forbids', () => {
    const { xml, root } = parse(bigResult());
    const broken = root.testsuite[2]!.testcase[0]!;
    expect(broken.failure).toBeUndefined();
    expect(broken.error!.message).toBe('Unexpected tab\tin indentation\uFFFD (bell) and \uFFFD\r\nsecond line');
    expect(broken.error!['#text']).toContain('\uFFFD\r\nsecond line');
    // eslint-disable-next-line no-control-regex -- the point is to find control characters
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  });

  it('escapes every markup character in attributes and text', () => {
    const { xml } = parse(bigResult());
    for (const [, value] of xml.matchAll(/="([^"]*)"/g)) expect(value).not.toMatch(/[<>'\n\r\t]/);
    expect(xml).not.toMatch(/&(?!(?:amp|lt|gt|quot|apos|#\d+);)/);
    expect(xml).toContain('Retry &quot;budget&quot; &lt;&amp;&gt; &apos;x&apos;: 10%, then&#10;more::here');
  });

  it('keeps lone surrogates out but astral characters in', () => {
    const result = cleanResult();
    result.results[0]!.findings.push({
      ruleId: 'schema',
      severity: 'error',
      message: 'rocket \u{1F680} half \uD800 end',
      file: 'b.shipshape.yaml',
      range: { line: 1, column: 1, endLine: 1, endColumn: 2 },
    });
    const cases = parse(result).root.testsuite[1]!.testcase;
    expect(cases[0]!.failure!.message).toBe('rocket \u{1F680} half \uFFFD end');
  });
});
