import { MANIFEST_FILE } from '../../state/manifest.js';
import { defineRule } from './util.js';
import type { RuleReport } from '../types.js';

const REGENERATE = 'Restore it from version control, or run `shipshape generate` to write it again.';

export const managedFiles = defineRule({
  id: 'managed-files',
  description: 'Every file the template pack manages is as it was generated: its sha256 matches .shipshape/manifest.json.',
  defaultSeverity: 'error',
  stage: 3,
  rationale:
    "A managed file belongs to the template pack: the next `generate` (or a pack upgrade) writes it again from the spec, so an edit by hand is either lost or blocks the upgrade, and the project quietly drifts from what every other service on the pack runs. A change belongs in the spec, in the pack, or in a file the project has taken over. Seeded and merged files are the project's to edit and are never reported; a missing managed file is.",
  hint: "Move the change into the spec or the template pack and regenerate (`shipshape generate --force` replaces the edited file), or take the file over by changing its ownership to seeded (or merged, to keep receiving the pack's changes).",
  examples: {
    pass: `# .shipshape/manifest.json, as generate wrote it
{ "pack": { "name": "service-ts", "version": "1.4.0" },
  "files": {
    "src/serving/app.ts":    { "ownership": "managed", "sha256": "3b1f…" },
    "src/pipeline/steps.ts": { "ownership": "seeded",  "sha256": "8c2d…" } } }
# src/serving/app.ts still hashes to 3b1f…;
# src/pipeline/steps.ts was edited, which is fine: seeded files are yours.`,
    fail: `# .shipshape/manifest.json, as generate wrote it
{ "pack": { "name": "service-ts", "version": "1.4.0" },
  "files": {
    "src/serving/app.ts": { "ownership": "managed", "sha256": "3b1f…" } } }
# src/serving/app.ts was edited by hand: it now hashes to 9e07…`,
  },
  messages: {
    unreadable: '{{manifest}} {{error}}; its managed files cannot be checked',
    outside: '{{manifest}} lists {{path}}, which is outside the project; it is not read',
    missing: '{{file}} is managed by {{pack}} but missing',
    edited: '{{file}} is managed by {{pack}} but was edited by hand (its sha256 differs from {{manifest}})',
  },
  check({ project }) {
    const read = project?.manifest();
    if (!project || !read?.found) return [];
    if ('error' in read) {
      return [
        { path: [], file: MANIFEST_FILE, messageId: 'unreadable', data: { manifest: MANIFEST_FILE, error: read.error }, hint: REGENERATE },
      ];
    }
    const { name } = read.manifest.pack;
    const pack = name ? `the template pack ${name}` : 'the template pack';
    const reports: RuleReport[] = [];
    const seen = new Set<string>();
    for (const [path, entry] of Object.entries(read.manifest.files)) {
      // Seeded and merged files are the project's: edits to them are expected.
      if (entry.ownership !== 'managed') continue;
      // The manifest is data from disk: a path that leaves the project is never read.
      const file = project.inside(path);
      if (file === undefined) {
        reports.push({
          path: [],
          file: MANIFEST_FILE,
          messageId: 'outside',
          data: { manifest: MANIFEST_FILE, path: JSON.stringify(path) },
          hint: `A manifest lists files inside the project only. ${REGENERATE}`,
        });
        continue;
      }
      if (seen.has(file)) continue;
      seen.add(file);
      const actual = project.sha256(file);
      if (actual === undefined) {
        reports.push({
          path: [],
          file: MANIFEST_FILE,
          messageId: 'missing',
          data: { file, pack },
          hint: 'Run `shipshape generate` to write it again, or remove it from the pack if the project no longer needs it.',
        });
      } else if (actual !== entry.sha256) {
        reports.push({
          path: [],
          file,
          messageId: 'edited',
          data: { file, pack, manifest: MANIFEST_FILE },
        });
      }
    }
    return reports;
  },
});
