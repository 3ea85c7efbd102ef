/**
 * The CheckResult as JSON for scripts. Fields are picked one by one, in a fixed order, so the shape
 * does not drift when the engine grows internal fields.
 */
import type { CheckResult, Finding, RuleMeta } from '../types.js';
import type { FormatOptions } from './index.js';
import { sortedResults } from './shared.js';

function findingJson(finding: Finding) {
  const { line, column, endLine, endColumn } = finding.range;
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    ...(finding.hint === undefined ? {} : { hint: finding.hint }),
    file: finding.file,
    range: { line, column, endLine, endColumn },
    ...(finding.path === undefined ? {} : { path: [...finding.path] }),
    ...(finding.exception === undefined
      ? {}
      : {
          exception: {
            reason: finding.exception.reason,
            owner: finding.exception.owner,
            expires: finding.exception.expires,
            source: finding.exception.source,
          },
        }),
  };
}

function ruleJson(rule: RuleMeta) {
  return {
    id: rule.id,
    description: rule.description,
    defaultSeverity: rule.defaultSeverity,
    stage: rule.stage,
    rationale: rule.rationale,
    hint: rule.hint,
    ...(rule.examples === undefined ? {} : { examples: { pass: rule.examples.pass, fail: rule.examples.fail } }),
  };
}

export function json(result: CheckResult, options: FormatOptions): string {
  const { files, errors, warnings, infos, exceptions, unreadable } = result.summary;
  const out = {
    version: options.version,
    results: sortedResults(result).map((file) => ({
      file: file.file,
      stage: file.stage,
      unreadable: file.unreadable,
      findings: file.findings.map(findingJson),
    })),
    summary: { files, errors, warnings, infos, exceptions, unreadable },
    rules: result.rules.map(ruleJson),
    failed: result.failed,
    exitCode: result.exitCode,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
