/** A validation report as JUnit XML: a test suite per run, a test case per scenario, a failure per missed expectation. */
import { resolve } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';
import type { ValidationReport } from '../state/validation-report.js';

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

export function validationJunit(report: ValidationReport): string {
  const failures = report.scenarios.filter((scenario) => !scenario.passed).length;
  const cases = report.scenarios.map((scenario) => {
    const seconds = scenario.durationSeconds ?? 0;
    const open = `    <testcase classname="shipshape.validate" name="${escape(scenario.id)}" time="${seconds}">`;
    if (scenario.passed) return `${open}</testcase>`;
    const missed = (scenario.verdicts ?? []).filter((verdict) => !verdict.passed);
    const message = missed.length === 0 ? 'not run' : missed.map((verdict) => verdict.message ?? `${verdict.name} missed`).join('\n');
    return `${open}\n      <failure message="${escape(missed.map((verdict) => verdict.name).join(', ') || 'not run')}">${escape(message)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="shipshape validate" tests="${report.scenarios.length}" failures="${failures}">`,
    `  <testsuite name="scenarios" tests="${report.scenarios.length}" failures="${failures}"${report.startedAt ? ` timestamp="${report.startedAt}"` : ''}>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Writes the JUnit file (relative to `cwd`) and returns its path as given. */
export async function writeJunit(report: ValidationReport, file: string, cwd: string): Promise<string> {
  await writeFileAtomic(resolve(cwd, file), validationJunit(report));
  return file;
}
