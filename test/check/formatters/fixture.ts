/** Hand-made check results for the formatter tests: several files, every severity, awkward text. */
import type { CheckResult, Finding, RuleMeta } from '../../../src/check/types.js';

export const CWD = '/home/ci/repo';

/** Text that breaks naive escaping in every format at once. */
export const AWKWARD = `Retry "budget" <&> 'x': 10%, then\nmore::here, 50%0A`;

function rule(id: string, defaultSeverity: RuleMeta['defaultSeverity'], stage: RuleMeta['stage']): RuleMeta {
  return { id, description: `Checks ${id}.`, defaultSeverity, stage, rationale: `Why ${id} matters.`, hint: `Fix ${id}.` };
}

export const RULES: RuleMeta[] = [
  rule('parse', 'error', 1),
  rule('schema', 'error', 1),
  rule('latency-budget', 'error', 4),
  rule('cost-budget', 'warn', 2),
  rule('no-secrets', 'error', 1),
  rule('review-owner', 'info', 8),
];

const at = (line: number, column: number, endLine = line, endColumn = column + 5) => ({ line, column, endLine, endColumn });

/** In the engine's order (per file, not sorted across files), to prove the formatters sort. */
export function bigResult(): CheckResult {
  const b = 'services/b/shipshape.yaml';
  const findings: Finding[] = [
    {
      ruleId: 'latency-budget',
      severity: 'error',
      message: AWKWARD,
      hint: 'Lower retries.maxAttempts to 2, or raise "slo.latency.p95Ms" & <tell> the owner.',
      file: b,
      range: at(12, 7, 14, 3),
      path: ['resilience', 'retries', 'maxAttempts'],
    },
    {
      ruleId: 'cost-budget',
      severity: 'warn',
      message: 'Cost per month is 120% of the budget, over by $1,200.',
      hint: 'Use a cheaper tier.',
      file: b,
      range: at(3, 1),
      path: ['business', 'budget'],
    },
    {
      ruleId: 'no-secrets',
      severity: 'error',
      message: 'A literal API key at models.tiers[0].endpoint.',
      hint: 'Use ${ENV_VAR}.',
      file: b,
      range: at(40, 15),
      path: ['models', 'tiers', 0, 'endpoint'],
      exception: {
        reason: 'Test key, rotated: see SEC-12, 100%',
        owner: 'team-ml',
        expires: '2031-01-31',
        source: 'shipshape.policy.yaml',
      },
    },
    {
      ruleId: 'review-owner',
      severity: 'info',
      message: 'review.owner is not set.',
      file: b,
      range: at(3, 12),
      path: ['review'],
    },
    {
      // A policy requirement: its rule is not among the rules that ran.
      ruleId: 'policy-required',
      severity: 'warn',
      message: 'The policy asks for deploy.analysis.',
      file: b,
      range: at(100, 2),
      path: ['deploy', 'analysis'],
    },
  ];
  return {
    results: [
      { file: b, stage: 4, unreadable: false, findings },
      { file: 'services/a/shipshape.yaml', stage: 2, unreadable: false, findings: [] },
      {
        file: 'services/c/broken.shipshape.yaml',
        stage: null,
        unreadable: true,
        findings: [
          {
            ruleId: 'parse',
            severity: 'error',
            message: 'Unexpected tab\tin indentation\u0007 (bell) and \u0001\r\nsecond line',
            hint: 'Indent with spaces.',
            file: 'services/c/broken.shipshape.yaml',
            range: at(2, 1),
          },
        ],
      },
    ],
    summary: { files: 3, errors: 2, warnings: 2, infos: 1, exceptions: 1, unreadable: 1 },
    rules: RULES,
    failed: true,
    exitCode: 2,
  };
}

/** Every finding of a result, in file, line, column order. */
export function allFindings(result: CheckResult): Finding[] {
  return result.results
    .flatMap((file) => file.findings)
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.range.line - b.range.line || a.range.column - b.range.column));
}

export function cleanResult(): CheckResult {
  return {
    results: [
      { file: 'b.shipshape.yaml', stage: 1, unreadable: false, findings: [] },
      { file: 'a.shipshape.yaml', stage: 3, unreadable: false, findings: [] },
    ],
    summary: { files: 2, errors: 0, warnings: 0, infos: 0, exceptions: 0, unreadable: 0 },
    rules: RULES,
    failed: false,
    exitCode: 0,
  };
}
