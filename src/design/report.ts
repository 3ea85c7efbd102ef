/**
 * What `design` reports, as one plain object: the `--json` output, and the source of the human
 * view (results for standard output, notes for standard error).
 */
import { formatPath } from '../spec/doc-path.js';
import type { RankedFailureMode } from './recommend.js';
import type { DesignResult } from './run.js';
import { formatTable, type Budget, type Table } from './tables.js';

export interface DesignReport {
  spec: string;
  dryRun: boolean;
  failureModes: RankedFailureMode[];
  patterns: { pattern: string; addresses: string[]; status: 'added' | 'kept' | 'rejected'; reason: string }[];
  /** Spec paths given a default value, and those left as the user set them. */
  edits: { applied: string[]; kept: string[] };
  notes: string[];
  budget: Budget;
  tables: Table[];
  files: { path: string; kind: string; changed: boolean }[];
  written: string[];
  diff?: string;
}

export function designReport(result: DesignResult): DesignReport {
  const { plan } = result;
  return {
    spec: plan.files.find((file) => file.kind === 'spec')?.display ?? plan.specFile,
    dryRun: result.dryRun,
    failureModes: plan.recommendations.failureModes,
    patterns: [
      ...plan.accepted.map((choice) => ({
        pattern: choice.pattern,
        addresses: choice.addresses,
        status: 'added' as const,
        reason: choice.reason,
      })),
      ...plan.recommendations.kept.map((choice) => ({
        pattern: choice.pattern,
        addresses: choice.addresses,
        status: 'kept' as const,
        reason: choice.reason,
      })),
      ...plan.rejected.map((choice) => ({
        pattern: choice.pattern,
        addresses: choice.addresses,
        status: 'rejected' as const,
        reason: choice.reason,
      })),
    ],
    edits: { applied: plan.applied.map((edit) => formatPath(edit.path)), kept: plan.skipped.map((edit) => formatPath(edit.path)) },
    notes: plan.notes,
    budget: plan.budget,
    tables: plan.tables,
    files: plan.files.map((file) => ({ path: file.display, kind: file.kind, changed: file.changed })),
    written: result.written,
    ...(result.diff === undefined ? {} : { diff: result.diff }),
  };
}

const MARK = { added: '+', kept: '=', rejected: '-' } as const;

/** The human view: `out` for standard output, `notes` for standard error. */
export function formatDesign(report: DesignReport): { out: string; notes: string[] } {
  const sections: string[] = [];
  if (report.failureModes.length > 0) {
    sections.push(['Failure modes, highest risk first', ...report.failureModes.map((mode) => `  ${mode.reason}`)].join('\n'));
  }
  if (report.patterns.length > 0) {
    const width = Math.max(...report.patterns.map((p) => p.pattern.length));
    const lines = report.patterns.map(
      (p) => `  ${MARK[p.status]} ${p.pattern.padEnd(width)}  ${p.status.padEnd(8)} ${p.addresses.join(', ') || '(addresses nothing)'}`,
    );
    sections.push(['Patterns (+ added, = kept, - rejected)', ...lines].join('\n'));
  }
  sections.push(...report.tables.map(formatTable));
  if (report.diff !== undefined) sections.push(report.diff.trimEnd() || 'No changes.');

  const notes = [...report.notes];
  if (report.dryRun) {
    notes.push('Dry run: nothing was written.');
  } else if (report.written.length === 0) {
    notes.push(`Nothing to change: ${report.spec} and its documents are up to date.`);
  } else {
    const kept = report.edits.kept.length > 0 ? ` (${report.edits.kept.length} values you set were kept)` : '';
    notes.push(`Wrote ${report.written.join(', ')}${kept}.`);
    notes.push('Next: `shipshape check` reviews the design; `shipshape generate` builds the skeleton from it.');
  }
  return { out: `${sections.join('\n\n')}\n`, notes };
}
