import { describe, expect, it } from 'vitest';
import { plainPaint, type Paint } from '../../../src/text/paint.js';
import { stylish } from '../../../src/check/formatters/stylish.js';
import type { CheckResult, Finding } from '../../../src/check/types.js';
import { CWD, bigResult, cleanResult } from './fixture.js';

const options = { paint: plainPaint, cwd: CWD, version: '1.2.3' };
const range = (line: number, column: number) => ({ line, column, endLine: line, endColumn: column + 1 });

function small(): CheckResult {
  const z = (finding: Omit<Finding, 'file'>): Finding => ({ ...finding, file: 'z.yaml' });
  return {
    results: [
      {
        file: 'z.yaml',
        stage: 4,
        unreadable: false,
        findings: [
          z({
            ruleId: 'no-secrets',
            severity: 'error',
            message: 'A key.',
            range: range(100, 2),
            exception: { reason: 'Rotated', owner: 'ml', expires: '2031-01-31', source: 'p.yaml' },
          }),
          z({
            ruleId: 'latency-budget',
            severity: 'error',
            message: 'Latency budget exceeded.',
            hint: 'Lower retries.',
            range: range(12, 7),
          }),
          z({ ruleId: 'cost-budget', severity: 'warn', message: 'Cost over.', range: range(3, 10) }),
        ],
      },
      { file: 'm.yaml', stage: 1, unreadable: false, findings: [] },
      {
        file: 'a.yaml',
        stage: 8,
        unreadable: false,
        findings: [
          {
            ruleId: 'review-owner',
            severity: 'info',
            message: 'Owner missing.',
            hint: 'Set review.owner.',
            file: 'a.yaml',
            range: range(1, 1),
          },
        ],
      },
    ],
    summary: { files: 3, errors: 1, warnings: 1, infos: 1, exceptions: 1, unreadable: 0 },
    rules: [],
    failed: true,
    exitCode: 1,
  };
}

/** Marks each colour, so a test can see what was painted how. */
const tagPaint: Paint = {
  red: (s) => `<red>${s}</red>`,
  yellow: (s) => `<yellow>${s}</yellow>`,
  blue: (s) => `<blue>${s}</blue>`,
  green: (s) => `<green>${s}</green>`,
  dim: (s) => `<dim>${s}</dim>`,
  bold: (s) => `<bold>${s}</bold>`,
  underline: (s) => `<u>${s}</u>`,
};

describe('the stylish format', () => {
  it('prints aligned findings per file, sorted, with hints, waivers and a summary', () => {
    expect(stylish(small(), options)).toBe(
      [
        'a.yaml',
        '  1:1  info  Owner missing.  review-owner',
        '       Try this: Set review.owner.',
        '',
        'z.yaml',
        '    3:10  warning  Cost over.                cost-budget',
        '   12:7   error    Latency budget exceeded.  latency-budget',
        '          Try this: Lower retries.',
        '  100:2   waived   A key.                    no-secrets',
        '          Waived: Rotated (owner: ml, expires 2031-01-31)',
        '',
        '✖ 3 problems (1 error, 1 warning, 1 info), 1 waived by policy exceptions',
        '',
      ].join('\n'),
    );
  });

  it('paints through the Paint it is given', () => {
    const text = stylish(small(), { ...options, paint: tagPaint });
    expect(text).toContain('<u>z.yaml</u>');
    expect(text).toContain('  <dim> 12:7 </dim>  <red>error  </red>  Latency budget exceeded.  <dim>latency-budget</dim>');
    expect(text).toContain('<yellow>warning</yellow>');
    expect(text).toContain('<blue>info</blue>');
    expect(text).toContain('<green>waived </green>');
    expect(text).toContain('<dim>          Try this: Lower retries.</dim>');
    expect(text).toContain('<red><bold>✖ 3 problems');
    const warningsOnly = small();
    warningsOnly.summary.errors = 0;
    expect(stylish(warningsOnly, { ...options, paint: tagPaint })).toContain('<yellow><bold>✖ 2 problems (0 errors, 1 warning, 1 info)');
    expect(stylish(cleanResult(), { ...options, paint: tagPaint })).toBe('<green><bold>✔ 2 specs checked, no problems</bold></green>\n');
  });

  it('says when all is clean, and counts waived findings even then', () => {
    expect(stylish(cleanResult(), options)).toBe('✔ 2 specs checked, no problems\n');
    const waivedOnly = cleanResult();
    waivedOnly.summary.files = 1;
    waivedOnly.summary.exceptions = 1;
    expect(stylish(waivedOnly, options)).toBe('✔ 1 spec checked, no problems (1 finding waived by policy exceptions)\n');
  });

  it('reports unreadable files, and keeps line breaks and control characters out of the columns', () => {
    const text = stylish(bigResult(), options);
    expect(text.endsWith('✖ 5 problems (2 errors, 2 warnings, 1 info), 1 waived by policy exceptions\n✖ 1 file could not be read\n')).toBe(
      true,
    );
    expect(text).toContain('  2:1  error  Unexpected tab in indentation\\x07 (bell) and \\x01 second line  parse\n');
    expect(text).toContain(`   12:7   error    Retry "budget" <&> 'x': 10%, then more::here, 50%0A    latency-budget\n`);
    // eslint-disable-next-line no-control-regex -- the point is to find control characters
    expect(text).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F]/);
  });
});
