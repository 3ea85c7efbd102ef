/**
 * JUnit XML, for CI systems that show test reports: a test suite per spec file, a test case per
 * finding, and one passing case for a clean file so it still shows up as checked.
 */
import { SEVERITY_RANK, type CheckResult, type FileResult, type Finding } from '../types.js';
import { sortedResults, waiverText } from './shared.js';

/** XML 1.0 allows tab, LF, CR, and everything from U+0020 but lone surrogates, U+FFFE and U+FFFF. */
function allowedInXml(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    code >= 0x10000
  );
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

// Parsers turn tab, CR and LF in attribute values into spaces (and CR in text into LF) unless they
// are written as character references.
const ATTRIBUTE_REFS: Record<string, string> = { '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };
const TEXT_REFS: Record<string, string> = { '\r': '&#13;' };

function escapeXml(text: string, refs: Record<string, string>): string {
  let out = '';
  // for...of walks code points, so a valid surrogate pair arrives whole and a lone half alone.
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (!allowedInXml(code)) out += '\uFFFD';
    else out += ENTITIES[char] ?? refs[char] ?? char;
  }
  return out;
}

const attr = (text: string): string => escapeXml(text, ATTRIBUTE_REFS);
const text = (value: string): string => escapeXml(value, TEXT_REFS);

type Outcome = 'failure' | 'error' | 'skipped' | 'passed';

/**
 * A finding is a failed test case only when it fails the run, as the exit code says: a warning
 * under --fail-severity error passes, its text in <system-out>, so a report with failures never
 * comes with exit code 0.
 */
function outcome(result: CheckResult, file: FileResult, finding: Finding): Outcome {
  if (finding.exception || finding.severity === 'info') return 'skipped';
  // A spec that could not be read was not checked at all: that is an error, not a failed check.
  if (file.unreadable) return 'error';
  const fails =
    SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[result.failSeverity ?? 'error'] ||
    (finding.severity === 'warn' && result.tooManyWarnings === true);
  return fails ? 'failure' : 'passed';
}

function testcase(result: CheckResult, file: FileResult, finding: Finding): string {
  const { line, column } = finding.range;
  const open = `    <testcase classname="${attr(file.file)}" name="${attr(`${finding.ruleId} ${finding.file}:${line}:${column}`)}">`;
  const kind = outcome(result, file, finding);
  let body: string;
  if (kind === 'passed') {
    const details = [
      `${finding.severity === 'warn' ? 'warning' : finding.severity}: ${finding.message}`,
      ...(finding.hint ? [`Try this: ${finding.hint}`] : []),
      `at ${finding.file}:${line}:${column}`,
    ];
    body = `      <system-out>${text(details.join('\n'))}</system-out>`;
  } else if (kind === 'skipped') {
    const message = finding.exception ? `waived: ${waiverText(finding.exception)}` : `info: ${finding.message}`;
    body = `      <skipped message="${attr(message)}"/>`;
  } else {
    const details = [finding.message, ...(finding.hint ? [`Try this: ${finding.hint}`] : []), `at ${finding.file}:${line}:${column}`].join(
      '\n',
    );
    body = `      <${kind} message="${attr(finding.message)}" type="${finding.severity}">${text(details)}</${kind}>`;
  }
  return [open, body, '    </testcase>'].join('\n');
}

export function junit(result: CheckResult): string {
  const suites: string[] = [];
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const file of sortedResults(result)) {
    const counts = { tests: Math.max(1, file.findings.length), failures: 0, errors: 0, skipped: 0 };
    for (const finding of file.findings) {
      const kind = outcome(result, file, finding);
      if (kind === 'failure') counts.failures++;
      else if (kind === 'error') counts.errors++;
      else if (kind === 'skipped') counts.skipped++;
    }
    const cases =
      file.findings.length > 0
        ? file.findings.map((finding) => testcase(result, file, finding))
        : [`    <testcase classname="${attr(file.file)}" name="all checks"/>`];
    suites.push(
      [
        `  <testsuite name="${attr(file.file)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}">`,
        ...cases,
        '  </testsuite>',
      ].join('\n'),
    );
    totals.tests += counts.tests;
    totals.failures += counts.failures;
    totals.errors += counts.errors;
    totals.skipped += counts.skipped;
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="shipshape" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" skipped="${totals.skipped}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
