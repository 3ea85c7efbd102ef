import type { Project } from './project.js';
import { parseValidationReport, VALIDATION_REPORT_FILE } from './records.js';
import { some, type StageEvidence } from './types.js';

/** Stage 5: a validation report that passed, for the spec as it is now. */
export async function validationEvidence(project: Project): Promise<StageEvidence> {
  const [read, spec, data] = await Promise.all([project.readJson(VALIDATION_REPORT_FILE), project.spec(), project.data()]);
  const file = VALIDATION_REPORT_FILE;
  if (!read.found) return { state: 'not-started', evidence: [{ what: 'validation report', file, ok: false, detail: `no ${file}` }] };
  const parsed = 'error' in read ? { error: read.error } : parseValidationReport(read.value);
  if ('error' in parsed)
    return { state: 'in-progress', evidence: [{ what: 'validation report', file, ok: false, detail: `${file} ${parsed.error}` }] };

  const report = parsed.value;
  const current = report.specHash.toLowerCase() === spec.hash;
  const failed = report.scenarios.filter((scenario) => !scenario.passed).map((scenario) => scenario.id);
  // Done only when every scenario of the spec passed at full duration: a --scenario or --duration-scale run is recorded
  // but proves less.
  const ran = new Set(report.scenarios.filter((scenario) => scenario.passed).map((scenario) => scenario.id));
  const listed = Array.isArray(data?.['scenarios']) ? (data['scenarios'] as unknown[]) : [];
  const ids = listed.flatMap((scenario) => {
    const id = scenario !== null && typeof scenario === 'object' ? (scenario as Record<string, unknown>)['id'] : undefined;
    return typeof id === 'string' ? [id] : [];
  });
  // A report that lists no scenarios says nothing about which ran: it is taken at its word.
  const missing = report.scenarios.length === 0 ? [] : ids.filter((id) => !ran.has(id));
  const shortened = report.durationScale !== undefined && report.durationScale < 1;
  const complete = report.passed && report.complete !== false && !shortened && missing.length === 0;
  const detail = !report.passed
    ? failed.length > 0
      ? `validation failed: ${some(failed)}`
      : 'validation failed'
    : shortened
      ? `every scenario run passed, shortened (--duration-scale ${report.durationScale}): run shipshape validate at full duration`
      : missing.length > 0
        ? `every scenario run passed, but not ${some(missing)}: run shipshape validate without --scenario`
        : 'every scenario passed';
  return {
    state: current && complete ? 'done' : 'in-progress',
    evidence: [
      {
        what: 'report is current',
        file,
        ok: current,
        detail: current
          ? `${file} is for the current ${project.specName}`
          : `${file} is stale: it ran on another version of ${project.specName}`,
      },
      { what: 'scenarios passed', file, ok: complete, detail },
    ],
  };
}
