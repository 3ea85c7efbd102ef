import type { Project } from './project.js';
import { parseValidationReport, VALIDATION_REPORT_FILE } from './records.js';
import { some, type StageEvidence } from './types.js';

/** Stage 5: a validation report that passed, for the spec as it is now. */
export async function validationEvidence(project: Project): Promise<StageEvidence> {
  const [read, spec] = await Promise.all([project.readJson(VALIDATION_REPORT_FILE), project.spec()]);
  const file = VALIDATION_REPORT_FILE;
  if (!read.found) return { state: 'not-started', evidence: [{ what: 'validation report', file, ok: false, detail: `no ${file}` }] };
  const parsed = 'error' in read ? { error: read.error } : parseValidationReport(read.value);
  if ('error' in parsed)
    return { state: 'in-progress', evidence: [{ what: 'validation report', file, ok: false, detail: `${file} ${parsed.error}` }] };

  const report = parsed.value;
  const current = report.specHash.toLowerCase() === spec.hash;
  const failed = (report.scenarios ?? []).filter((scenario) => !scenario.passed).map((scenario) => scenario.id);
  return {
    state: current && report.passed ? 'done' : 'in-progress',
    evidence: [
      {
        what: 'report is current',
        file,
        ok: current,
        detail: current
          ? `${file} is for the current ${project.specName}`
          : `${file} is stale: it ran on another version of ${project.specName}`,
      },
      {
        what: 'scenarios passed',
        file,
        ok: report.passed,
        detail: report.passed ? 'every scenario passed' : failed.length > 0 ? `validation failed: ${some(failed)}` : 'validation failed',
      },
    ],
  };
}
