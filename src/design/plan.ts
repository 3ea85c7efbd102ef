/**
 * Stage 2 as a plan, then its application. The plan is pure: recommendations accepted, the spec
 * edits (the patterns, then the defaults of every missing section), the spec text after them, the
 * budget tables and the documents, each with its content before and after. Applying it writes
 * only what changed: the spec through the comment-keeping editor, the documents atomically.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { BugError } from '../errors.js';
import { writeFilesAtomic, type FileWrite } from '../fs/atomic.js';
import { applyEdits, editedSpecText, type SpecEdit } from '../spec/edit.js';
import { unifiedDiff } from '../text/diff.js';
import { loadSpecText } from '../spec/load.js';
import type { PatternId, Spec } from '../spec/schema.js';
import { ADR_FILE, architectureDiagram, MERMAID_FILE, renderAdr } from './adr.js';
import { planDefaults } from './defaults.js';
import { recommend, type PatternChoice, type Recommendations } from './recommend.js';
import { budgetOf, budgetTables, type Budget, type Table } from './tables.js';

export interface DesignInput {
  /** The spec file, absolute. */
  specFile: string;
  /** How files are named in output (relative to the working directory). */
  display: (path: string) => string;
  text: string;
  spec: Spec;
  /** The recommended patterns to add; the others are rejected. */
  accepted: readonly PatternId[];
  today: Date;
  /** The documents as they are on disk, by path relative to the spec's folder. */
  existing: Partial<Record<string, string>>;
}

export interface PlannedFile {
  path: string;
  display: string;
  kind: 'spec' | 'adr' | 'diagram';
  before: string | undefined;
  content: string;
  changed: boolean;
}

export interface DesignPlan {
  specFile: string;
  /** The folder the documents go in: the spec's. */
  root: string;
  recommendations: Recommendations;
  accepted: PatternChoice[];
  rejected: PatternChoice[];
  edits: SpecEdit[];
  applied: SpecEdit[];
  /** Edits not made because the spec already has a value there. */
  skipped: SpecEdit[];
  notes: string[];
  /** The spec after the edits. */
  spec: Spec;
  budget: Budget;
  tables: Table[];
  files: PlannedFile[];
}

/** The edits that add the accepted patterns to architecture.patterns (creating the section if needed). */
export function architectureEdits(spec: Spec, accepted: readonly PatternChoice[]): SpecEdit[] {
  const entries = accepted.map((choice) => ({ pattern: choice.pattern, addresses: [...choice.addresses] }));
  const existing = spec.architecture?.patterns;
  if (!existing) return [{ path: ['architecture'], value: { patterns: entries }, onlyIfAbsent: true }];
  return entries.map((entry, k) => ({ path: ['architecture', 'patterns', existing.length + k], value: entry, onlyIfAbsent: true }));
}

export function planDesign(input: DesignInput): DesignPlan {
  const { spec, specFile } = input;
  const root = dirname(specFile);
  const recommendations = recommend(spec);
  const wanted = new Set(input.accepted);
  const accepted = recommendations.recommended.filter((choice) => wanted.has(choice.pattern));
  const rejected = recommendations.recommended.filter((choice) => !wanted.has(choice.pattern));

  const patterns = [
    ...(spec.architecture?.patterns ?? []),
    ...accepted.map((choice) => ({ pattern: choice.pattern, addresses: [...choice.addresses] })),
  ];
  const defaults = planDefaults(
    { ...spec, architecture: { patterns } },
    rejected.map((choice) => choice.pattern),
  );
  const edits: SpecEdit[] = [...architectureEdits(spec, accepted), ...defaults.edits];
  const { text, applied, skipped } = applyEdits(input.text, edits);

  const reloaded = loadSpecText(specFile, text);
  if (!reloaded.spec) {
    const problems = reloaded.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('; ');
    throw new BugError(`the designed spec does not pass the schema: ${problems}`);
  }
  const designed = reloaded.spec;
  const budget = budgetOf(designed);
  const specName = relative(root, specFile).split(sep).join('/');
  const adr = renderAdr({ spec: designed, budget, specFile: specName, today: input.today, ...existingOf(input, ADR_FILE) });

  const file = (kind: PlannedFile['kind'], path: string, before: string | undefined, content: string): PlannedFile => ({
    path,
    display: input.display(path),
    kind,
    before,
    content,
    changed: before !== content,
  });
  return {
    specFile,
    root,
    recommendations,
    accepted,
    rejected,
    edits,
    applied,
    skipped,
    notes: defaults.notes,
    spec: designed,
    budget,
    tables: budgetTables(designed, budget),
    files: [
      file('spec', specFile, input.text, text),
      file('adr', join(root, ADR_FILE), input.existing[ADR_FILE], adr),
      file('diagram', join(root, MERMAID_FILE), input.existing[MERMAID_FILE], architectureDiagram(designed)),
    ],
  };
}

function existingOf(input: DesignInput, path: string): { existing?: string } {
  const text = input.existing[path];
  return text === undefined ? {} : { existing: text };
}

/** The unified diff of every file the plan changes (a new file diffs against nothing). */
export function planDiff(plan: DesignPlan): string {
  return plan.files
    .filter((file) => file.changed)
    .map((file) => unifiedDiff(file.before ?? '', file.content, file.display))
    .join('\n');
}

/** Writes what changed; returns the files written. */
export async function applyDesign(plan: DesignPlan): Promise<PlannedFile[]> {
  const written: PlannedFile[] = [];
  const writes: FileWrite[] = [];
  for (const file of plan.files) {
    if (!file.changed) continue;
    if (file.kind === 'spec') {
      // Through the editor, so the comments and layout the user wrote are kept.
      const { text, changed } = await editedSpecText(file.path, plan.edits);
      if (changed) writes.push({ path: file.path, content: text });
    } else {
      await mkdir(dirname(file.path), { recursive: true });
      writes.push({ path: file.path, content: file.content });
    }
    written.push(file);
  }
  // The spec, the ADR and the diagram land together or not at all.
  await writeFilesAtomic(writes);
  return written;
}
