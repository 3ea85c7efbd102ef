import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectFiles } from '../../../src/check/project.js';
import { managedFiles } from '../../../src/check/rules/managed-files.js';
import { conflictBlocks, mergeConflicts } from '../../../src/check/rules/merge-conflicts.js';
import { templatePack } from '../../../src/check/rules/template-pack.js';
import { renderMessage } from '../../../src/check/messages.js';
import type { Rule, RuleContext, RuleReport } from '../../../src/check/types.js';
import { GENERATED, generate, MANIFEST, put, sha256 } from '../../helpers/generated.js';
import { tempDir } from '../../helpers/temp.js';
import { example } from './helpers.js';

/** A generated project: the spec, the files and the manifest, in a fresh temp dir. */
function project(): string {
  const dir = tempDir();
  put(dir, 'shipshape.yaml', 'apiVersion: shipshape/v1\n');
  generate(dir);
  return dir;
}

function context(dir: string, extra: Partial<RuleContext> = {}): RuleContext {
  const spec = example();
  return { spec, stage: 8, strings: () => [], project: projectFiles(join(dir, 'shipshape.yaml')), ...extra };
}

/** Each report's file and rendered message: these tests are about the wording of file-level findings. */
const where = (rule: Rule, reports: RuleReport[]) =>
  reports.map((report) => [report.file, renderMessage(rule, report.messageId, report.data)]);

describe('managed-files', () => {
  it('passes a project as generated, and one whose seeded and merged files were edited', () => {
    const dir = project();
    expect(managedFiles.check(context(dir))).toEqual([]);
    put(dir, 'src/pipeline/steps.ts', 'export const steps = [clean, classify];\n');
    put(dir, 'src/config.ts', 'export const config = { region: "eu" };\n');
    expect(managedFiles.check(context(dir))).toEqual([]);
  });

  it('reports a managed file edited by hand, at that file, with the default hint', () => {
    const dir = project();
    put(dir, 'src/serving/app.ts', 'export const app = { patched: true };\n');
    const reports = managedFiles.check(context(dir));
    expect(where(managedFiles, reports)).toEqual([
      [
        'src/serving/app.ts',
        `src/serving/app.ts is managed by the template pack service-ts but was edited by hand (its sha256 differs from ${MANIFEST})`,
      ],
    ]);
    expect(reports[0]!.hint).toBeUndefined();
    expect(managedFiles.hint).toMatch(/spec or the template pack.*take the file over by changing its ownership/);
  });

  it('reports a missing managed file at the manifest; a missing seeded file is not its business', () => {
    const dir = project();
    rmSync(join(dir, 'src/orchestration/breaker.ts'));
    rmSync(join(dir, 'src/pipeline/steps.ts'));
    // A folder where the file was is not the file.
    rmSync(join(dir, 'src/serving/app.ts'));
    mkdirSync(join(dir, 'src/serving/app.ts'));
    expect(where(managedFiles, managedFiles.check(context(dir)))).toEqual([
      [MANIFEST, 'src/serving/app.ts is managed by the template pack service-ts but missing'],
      [MANIFEST, 'src/orchestration/breaker.ts is managed by the template pack service-ts but missing'],
    ]);
  });

  it('never reads a path that leaves the project, and says so at the manifest', () => {
    const dir = project();
    // Files outside whose hashes match: were they read, they would pass as unchanged.
    const other = tempDir();
    put(other, 'escape.txt', 'x');
    const relative = `../${basename(other)}/escape.txt`;
    const absolute = join(other, 'escape.txt');
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as { files: Record<string, unknown> };
    manifest.files[relative] = { ownership: 'managed', sha256: sha256('x') };
    manifest.files[absolute] = { ownership: 'managed', sha256: sha256('x') };
    put(dir, MANIFEST, JSON.stringify(manifest));
    expect(where(managedFiles, managedFiles.check(context(dir)))).toEqual([
      [MANIFEST, `${MANIFEST} lists ${JSON.stringify(relative)}, which is outside the project; it is not read`],
      [MANIFEST, `${MANIFEST} lists ${JSON.stringify(absolute)}, which is outside the project; it is not read`],
    ]);
  });

  it('reports a corrupt or malformed manifest at the manifest instead of failing', () => {
    const dir = project();
    put(dir, MANIFEST, '{ "files": {');
    const [corrupt, ...rest] = managedFiles.check(context(dir));
    expect(rest).toEqual([]);
    expect(corrupt).toMatchObject({
      file: MANIFEST,
      messageId: 'unreadable',
      data: { manifest: MANIFEST, error: expect.stringMatching(/^is not valid JSON \(.+\)$/) },
    });
    put(dir, MANIFEST, JSON.stringify({ files: { 'src/serving/app.ts': { ownership: 'owned', sha256: sha256('x') } } }));
    expect(where(managedFiles, managedFiles.check(context(dir)))).toEqual([
      [
        MANIFEST,
        `${MANIFEST} gives src/serving/app.ts the ownership "owned"; expected managed, seeded or merged; its managed files cannot be checked`,
      ],
    ]);
  });

  it('has nothing to say about a project not generated yet, or a spec checked on its own', () => {
    const dir = tempDir();
    put(dir, 'shipshape.yaml', 'apiVersion: shipshape/v1\n');
    expect(managedFiles.check(context(dir))).toEqual([]);
    // `.shipshape` as a file rather than a folder holds no manifest either.
    put(dir, '.shipshape', 'not a folder');
    expect(managedFiles.check(context(dir))).toEqual([]);
    expect(managedFiles.check({ spec: example(), stage: 8, strings: () => [] })).toEqual([]);
  });
});

describe('template-pack', () => {
  const sources = { pack: '../shipshape.policy.yaml', minVersion: '../shipshape.policy.yaml' };
  const required = { template: { pack: 'service-ts', minVersion: '1.4.0', sources } };

  function generatedFrom(name: string, version: string): string {
    const dir = tempDir();
    put(dir, 'shipshape.yaml', 'apiVersion: shipshape/v1\n');
    generate(dir, GENERATED, { name, version });
    return dir;
  }

  it.each(['1.4.0', '1.4.1', '1.10.0', '2.0.0', '1.5.0-rc.1'])('passes the required pack at %s (minimum 1.4.0)', (version) => {
    expect(templatePack.check(context(generatedFrom('service-ts', version), required))).toEqual([]);
  });

  it.each(['1.3.9', '0.9.12', '1.4.0-beta.2'])(
    'reports the required pack at %s, behind the minimum 1.4.0, with the upgrade hint',
    (version) => {
      const reports = templatePack.check(context(generatedFrom('service-ts', version), required));
      expect(where(templatePack, reports)).toEqual([
        [
          MANIFEST,
          `the project was generated from service-ts ${version}, but the policy (../shipshape.policy.yaml) requires 1.4.0 or later`,
        ],
      ]);
      expect(reports[0]!.hint).toBeUndefined();
      expect(templatePack.hint).toMatch(/^Run `shipshape generate --upgrade`/);
    },
  );

  it('reports a project on another pack once, whatever its version', () => {
    const reports = templatePack.check(context(generatedFrom('service-py', '0.1.0'), required));
    expect(where(templatePack, reports)).toEqual([
      [MANIFEST, 'the project was generated from the pack service-py, but the policy (../shipshape.policy.yaml) requires service-ts'],
    ]);
    expect(reports[0]!.hint).toMatch(/from service-ts/);
  });

  it('holds any pack to a minimum version alone, and accepts any version of a pack named alone', () => {
    const minimum = { template: { minVersion: '2.0.0', sources: { minVersion: 'shipshape.policy.yaml' } } };
    expect(where(templatePack, templatePack.check(context(generatedFrom('service-py', '1.9.9'), minimum)))).toEqual([
      [MANIFEST, 'the project was generated from service-py 1.9.9, but the policy (shipshape.policy.yaml) requires 2.0.0 or later'],
    ]);
    expect(templatePack.check(context(generatedFrom('service-py', '2.0.0'), minimum))).toEqual([]);
    const packOnly = { template: { pack: 'service-ts', sources: { pack: 'shipshape.policy.yaml' } } };
    expect(templatePack.check(context(generatedFrom('service-ts', '0.0.1'), packOnly))).toEqual([]);
  });

  it('reports a recorded version that is not x.y.z', () => {
    const reports = templatePack.check(context(generatedFrom('service-ts', 'latest'), required));
    expect(where(templatePack, reports)).toEqual([
      [
        MANIFEST,
        `${MANIFEST} records the pack version "latest", not a version x.y.z, so it cannot be held to the minimum 1.4.0 of the policy (../shipshape.policy.yaml)`,
      ],
    ]);
  });

  it('says a project under the policy has not been generated, at the spec', () => {
    const dir = tempDir();
    put(dir, 'shipshape.yaml', 'apiVersion: shipshape/v1\n');
    const reports = templatePack.check(context(dir, required));
    expect(reports).toEqual([
      {
        path: [],
        messageId: 'notGenerated',
        data: { policy: 'the policy (../shipshape.policy.yaml)', required: 'service-ts 1.4.0 or later', manifest: MANIFEST },
        hint: 'Run `shipshape generate` with the pack service-ts.',
      },
    ]);
  });

  it('reports a corrupt manifest rather than guessing its pack', () => {
    const dir = generatedFrom('service-ts', '1.4.0');
    put(dir, MANIFEST, '[]');
    expect(where(templatePack, templatePack.check(context(dir, required)))).toEqual([
      [MANIFEST, `${MANIFEST} is not a JSON object; which pack generated the project cannot be told`],
    ]);
  });

  it('asks nothing without a policy template', () => {
    expect(templatePack.check(context(generatedFrom('service-py', '0.1.0')))).toEqual([]);
    const dir = tempDir();
    put(dir, 'shipshape.yaml', 'apiVersion: shipshape/v1\n');
    expect(templatePack.check(context(dir))).toEqual([]);
  });
});

describe('merge-conflicts', () => {
  const conflict = (ours: string, theirs: string) =>
    `<<<<<<< yours\n${ours}\n||||||| base\nold\n=======\n${theirs}\n>>>>>>> pack service-ts@1.5.0\n`;

  it('passes a project as generated, and a merged file edited cleanly', () => {
    const dir = project();
    expect(mergeConflicts.check(context(dir))).toEqual([]);
    put(dir, 'src/config.ts', 'export const config = { region: "eu" };\n');
    expect(mergeConflicts.check(context(dir))).toEqual([]);
  });

  it('reports the first conflict of a merged file at its line, counting the others', () => {
    const dir = project();
    put(dir, 'src/config.ts', `export const config = {\n${conflict('a: 1,', 'a: 2,')}b: 0,\n${conflict('c: 1,', 'c: 2,')}};\n`);
    const reports = mergeConflicts.check(context(dir));
    expect(reports).toEqual([
      {
        path: [],
        file: 'src/config.ts',
        line: 2,
        messageId: 'conflict',
        data: { file: 'src/config.ts', from: 2, to: 8, more: ' (and 1 more)' },
      },
    ]);
  });

  it('reports a .rej file left beside a merged file', () => {
    const dir = project();
    put(dir, 'src/config.ts.rej', '@@ -1 +1 @@\n-a\n+b\n');
    expect(where(mergeConflicts, mergeConflicts.check(context(dir)))).toEqual([
      ['src/config.ts.rej', 'src/config.ts.rej holds hunks of the template pack that were never applied to src/config.ts'],
    ]);
  });

  it('leaves managed and seeded files to managed-files, and needs a manifest', () => {
    const dir = project();
    put(dir, 'src/serving/app.ts', conflict('x', 'y'));
    put(dir, 'src/pipeline/steps.ts', conflict('x', 'y'));
    expect(mergeConflicts.check(context(dir))).toEqual([]);
    rmSync(join(dir, MANIFEST));
    put(dir, 'src/config.ts', conflict('x', 'y'));
    expect(mergeConflicts.check(context(dir))).toEqual([]);
  });

  it('finds only whole marker lines, in order', () => {
    expect(conflictBlocks('a <<<<<<< b\n>>>>>>> c\n')).toEqual([]);
    expect(conflictBlocks('<<<<<<<<<< long\n>>>>>>> x\n')).toEqual([]);
    expect(conflictBlocks('<<<<<<<\nx\n>>>>>>>\n<<<<<<< yours\n>>>>>>> pack\n')).toEqual([
      { from: 1, to: 3 },
      { from: 4, to: 5 },
    ]);
    // An opening marker without its close is not a conflict generate wrote.
    expect(conflictBlocks('<<<<<<< yours\nnever closed\n')).toEqual([]);
  });
});
