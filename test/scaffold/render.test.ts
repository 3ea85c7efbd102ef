import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { UserError } from '../../src/errors.js';
import { loadPack } from '../../src/scaffold/pack.js';
import { precompilePack } from '../../src/scaffold/precompile.js';
import { sourceHash, type PrecompiledPack } from '../../src/scaffold/precompiled.js';
import { renderContext, renderPack, type RenderContext } from '../../src/scaffold/render.js';
import type { Pack } from '../../src/scaffold/types.js';
import { specSchema } from '../../src/spec/schema.js';
import { loadSpecText } from '../../src/spec/load.js';
import { tempDir } from '../helpers/temp.js';
import { exampleText, MINI_1 } from './helpers.js';
import { rejection } from '../helpers/errors.js';

const spec = loadSpecText('shipshape.yaml', exampleText).spec!;
const source = { kind: 'folder' as const, path: MINI_1 };
const context = (manifest: { name: string; version: string }) => renderContext(spec, manifest, '9.9.9', Object.keys(specSchema.shape));

/** A one-off pack in a temp dir: template.yaml and the given files (under files/). */
async function tinyPack(
  files: Record<string, string>,
  manifest = 'name: tiny\nversion: 1.0.0\ndescription: A test pack.\n',
): Promise<Pack> {
  const root = tempDir();
  writeFileSync(join(root, 'template.yaml'), manifest);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, 'files', path, '..'), { recursive: true });
    writeFileSync(join(root, 'files', path), text);
  }
  mkdirSync(join(root, 'files'), { recursive: true });
  return loadPack(root, { kind: 'folder', path: root }, false);
}

function renderError(pack: Pack, ctx: RenderContext = context(pack.manifest)): Promise<UserError> {
  return rejection(renderPack(pack, ctx));
}

describe('renderPack', () => {
  it('renders the mini pack: paths filled in, .hbs dropped, ownership from the globs, headers on managed files only, modes kept', async () => {
    const pack = await loadPack(MINI_1, source, false);
    const files = await renderPack(pack, context(pack.manifest));
    expect(files.map((file) => [file.path, file.ownership, file.mode.toString(8)])).toEqual([
      ['.editorconfig', 'managed', '644'],
      ['README.md', 'seeded', '644'],
      ['assets/pixel.gif', 'managed', '644'],
      ['bin/start.sh', 'managed', '755'],
      ['config/service.yaml', 'merged', '644'],
      ['docs/notes.md', 'managed', '644'],
      ['slo.json', 'managed', '644'],
      ['src/index.ts', 'managed', '644'],
      ['src/support-triage.ts', 'managed', '644'],
    ]);
    const text = (path: string) => files.find((file) => file.path === path)!.content.toString('utf8');
    const header = (open: string, close = '') =>
      `${open}Managed by shipshape (pack mini): \`shipshape generate\` rewrites this file. To take it over, delete this line.${close}`;
    // Copied files, byte for byte: no header even when managed.
    expect(files.find((file) => file.path === '.editorconfig')!.content.equals(readFileSync(join(MINI_1, 'files/.editorconfig')))).toBe(
      true,
    );
    expect(
      files.find((file) => file.path === 'assets/pixel.gif')!.content.equals(readFileSync(join(MINI_1, 'files/assets/pixel.gif'))),
    ).toBe(true);
    expect(text('bin/start.sh')).toBe(`#!/bin/sh\n${header('# ')}\nexec node dist/index.js --service support-triage "$@"\n`);
    expect(text('docs/notes.md')).toBe(`${header('<!-- ', ' -->')}\n# Notes on support-triage\n\nOwned by support-ai-lead@example.com.\n`);
    expect(text('src/index.ts')).toBe(
      `${header('// ')}\nexport { service } from './support-triage.js';\nexport const className = 'SupportTriageService';\n`,
    );
    // JSON takes no comment; seeded and merged files get no header.
    expect(JSON.parse(text('slo.json'))).toEqual({ availability: 99.9, windowDays: 30, latency: { p95Ms: 1200, p99Ms: 2500 } });
    expect(text('README.md')).toBe(
      '# support-triage\n\nRoutes incoming support tickets to the right queue and drafts a first reply.\n\nGenerated from mini 1.0.0.\n',
    );
    expect(text('config/service.yaml')).not.toContain('Managed by shipshape');
  });

  it('the helpers: json, kebab, camel, pascal, upper; sections the spec lacks are null, so {{#if}} can test them', async () => {
    const pack = await tinyPack({
      'out.txt.hbs':
        '{{kebab "supportTriage API"}} {{camel spec.metadata.name}} {{pascal "support_triage"}} {{upper spec.metadata.team}} {{json spec.slo.latency}}\n{{#if spec.review}}review{{else}}no review{{/if}}\n',
    });
    const ctx = context(pack.manifest);
    ctx.spec['review'] = null;
    const [out] = await renderPack(pack, ctx);
    expect(out!.content.toString()).toBe(
      'support-triage-api supportTriage SupportTriage SUPPORT-PLATFORM {"p95Ms":1200,"p99Ms":2500}\nno review\n',
    );
  });

  it('the eq helper, so a list can leave out a value it already named (the business metric in service-ts README)', async () => {
    const pack = await tinyPack({
      'out.txt.hbs': '{{#each spec.business.successCriteria}}{{#unless (eq metric "routing_accuracy")}}{{metric}}{{/unless}}{{/each}}.\n',
    });
    const [out] = await renderPack(pack, context(pack.manifest));
    expect(out!.content.toString()).toBe('median_first_response_minutes.\n');
  });

  it('a missing field is an error naming the template file, its line and column, and the whole field', async () => {
    const pack = await tinyPack({ 'src/a.ts.hbs': 'const a = 1;\nconst name = "{{spec.metadata.nmae}}";\n' });
    const error = await renderError(pack);
    expect(error.located).toBe('files/src/a.ts.hbs:2:17 spec.metadata.nmae is not defined');
    expect(error.hint).toContain('{{#if spec.section}}');
  });

  it('a missing field given to a helper, in a section the spec lacks, or in a templated path: each named', async () => {
    const helper = await tinyPack({ 'a.txt.hbs': 'x {{kebab spec.metadata.nope}}\n' });
    expect((await renderError(helper)).located).toBe('files/a.txt.hbs:1:3 kebab was given spec.metadata.nope, which is not defined');
    const section = await tinyPack({ 'a.txt.hbs': '{{spec.review.owner}}\n' });
    const ctx = context(section.manifest);
    ctx.spec['review'] = null;
    expect((await renderError(section, ctx)).located).toBe('files/a.txt.hbs:1:3 spec.review.owner is not defined');
    const path = await tinyPack({ 'src/{{spec.metadata.handle}}.ts': 'x\n' });
    expect((await renderError(path)).located).toBe(
      'files/src/{{spec.metadata.handle}}.ts in the file name: spec.metadata.handle is not defined',
    );
  });

  it('a template syntax error is reported at its line', async () => {
    const pack = await tinyPack({ 'a.txt.hbs': 'ok\n{{#if spec.slo}}\nno end\n' });
    const error = await renderError(pack);
    expect(error.located).toMatch(/^files\/a\.txt\.hbs:4:\d+ handlebars syntax error: Expecting .*got 'EOF'$/);
  });

  it.each([
    ['../../escape.txt', 'leaves the project (..)'],
    ['/etc/escape.txt', 'is absolute'],
    ['.shipshape/manifest.json', 'is inside .shipshape/, which shipshape keeps for itself'],
    ['.SHIPSHAPE/base/x', 'is inside .shipshape/, which shipshape keeps for itself'],
    ['sub/.git/hooks/post-checkout', 'is inside a .git folder'],
    ['a//b', 'has an empty folder name'],
    ['a\\..\\..\\b', 'holds a backslash (folders are separated by /)'],
  ])('a path that renders to %s is refused, naming the template file', async (rendered, reason) => {
    const pack = await tinyPack({ '{{spec.metadata.handle}}.hbs': 'x\n' });
    const ctx = context(pack.manifest);
    (ctx.spec['metadata'] as Record<string, unknown>)['handle'] = rendered;
    const error = await renderError(pack, ctx);
    expect(error.message).toBe(`renders to the path ${JSON.stringify(rendered)}, which ${reason}`);
    expect(error.file).toBe('files/{{spec.metadata.handle}}.hbs');
  });

  it('an empty path, and a pack file under .shipshape/, are refused too; two templates making one path is an error', async () => {
    const empty = await tinyPack({ '{{spec.metadata.handle}}': 'x\n' });
    const ctx = context(empty.manifest);
    (ctx.spec['metadata'] as Record<string, unknown>)['handle'] = '';
    expect((await renderError(empty, ctx)).message).toBe('renders to the path "", which is empty');
    const inside = await tinyPack({ '.shipshape/manifest.json': '{}\n' });
    expect((await renderError(inside)).message).toBe(
      'renders to the path ".shipshape/manifest.json", which is inside .shipshape/, which shipshape keeps for itself',
    );
    const twins = await tinyPack({ 'a.txt': 'x\n', 'a.txt.hbs': 'y\n' });
    expect((await renderError(twins)).located).toBe('files/a.txt.hbs renders to a.txt, which files/a.txt makes too');
  });
});

describe('conditional files (when)', () => {
  const manifest = `name: tiny
version: 1.0.0
description: A test pack.
when:
  - files: [src/rag/**, src/task.ts]
    spec: { task.kind: rag }
  - files: [src/classify.ts]
    spec: { task.kind: [classify, null] }
  - files: [src/task.ts]
    spec: { metadata.tier: [1, 2] }
`;
  const files = { 'src/rag/index.ts': 'rag', 'src/classify.ts': 'classify', 'src/task.ts.hbs': '{{spec.task.kind}}', 'src/app.ts': 'app' };
  const withTask = (task: unknown) =>
    renderContext({ ...spec, task } as typeof spec, { name: 'tiny', version: '1.0.0' }, '9.9.9', Object.keys(specSchema.shape));
  const paths = async (ctx: RenderContext) => (await renderPack(await tinyPack(files, manifest), ctx)).map((file) => file.path);

  it('a spec without the field is null: the classify files only, and the files no condition names (task.ts.hbs, which reads spec.task.kind, is not even rendered)', async () => {
    expect(spec.task).toBeUndefined();
    expect(await paths(withTask(undefined))).toEqual(['src/app.ts', 'src/classify.ts']);
    expect(await paths(withTask({ kind: 'classify' }))).toEqual(['src/app.ts', 'src/classify.ts']);
  });

  it('every condition that names a file must hold', async () => {
    const rag = withTask({ kind: 'rag', rag: { corpus: 'corpus' } });
    expect(await paths(rag)).toEqual(['src/app.ts', 'src/rag/index.ts', 'src/task.ts']);
    const tier3 = { ...rag, spec: { ...rag.spec, metadata: { ...spec.metadata, tier: 3 } } };
    expect(await paths(tier3)).toEqual(['src/app.ts', 'src/rag/index.ts']);
  });
});

describe('precompiled templates', () => {
  async function precompiled(root: string): Promise<PrecompiledPack> {
    const module = join(tempDir(), 'pack.mjs');
    writeFileSync(module, await precompilePack(root));
    return ((await import(pathToFileURL(module).href)) as { default: PrecompiledPack }).default;
  }

  it('render the same bytes as templates compiled at run time', async () => {
    const pack = await loadPack(MINI_1, source, false);
    const compiled = await precompiled(MINI_1);
    expect(Object.keys(compiled.files).sort()).toEqual([
      'README.md.hbs',
      'bin/start.sh.hbs',
      'config/service.yaml.hbs',
      'docs/notes.md.hbs',
      'slo.json.hbs',
      'src/index.ts.hbs',
      'src/{{kebab spec.metadata.name}}.ts.hbs',
    ]);
    expect(Object.keys(compiled.paths)).toEqual(['src/{{kebab spec.metadata.name}}.ts.hbs']);
    const atRunTime = await renderPack(pack, context(pack.manifest));
    const fromPrecompiled = await renderPack(pack, context(pack.manifest), { precompiled: compiled });
    expect(fromPrecompiled).toEqual(atRunTime);
  });

  it('are used when their source hash matches, and compiled anew when the source changed', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'template.yaml'), 'name: tiny\nversion: 1.0.0\ndescription: A test pack.\n');
    mkdirSync(join(root, 'files'));
    writeFileSync(join(root, 'files', 'a.txt.hbs'), 'precompiled {{pack.name}}\n');
    const compiled = await precompiled(root);
    const a = compiled.files['a.txt.hbs']!;
    // b.txt.hbs: its hash is in the precompiled module, with the template of a: if it is used, b renders as a does.
    const b = 'compiled at run time {{pack.name}}\n';
    writeFileSync(join(root, 'files', 'b.txt.hbs'), b);
    const swapped: PrecompiledPack = { files: { ...compiled.files, 'b.txt.hbs': { sha256: sourceHash(b), spec: a.spec } }, paths: {} };
    // a.txt.hbs changed since it was precompiled: its stale template must not be used.
    writeFileSync(join(root, 'files', 'a.txt.hbs'), 'changed {{pack.name}}\n');
    const pack = await loadPack(root, { kind: 'folder', path: root }, false);
    const files = await renderPack(pack, context(pack.manifest), { precompiled: swapped });
    expect(files.map((file) => file.content.toString())).toEqual(['changed tiny\n', 'precompiled tiny\n']);
  });

  it('report a missing field the same way', async () => {
    const pack = await tinyPack({ 'a.txt.hbs': '\n  {{spec.metadata.nmae}}\n' });
    const error = await renderPack(pack, context(pack.manifest), { precompiled: await precompiled(pack.root) }).catch((e: unknown) => e);
    expect((error as UserError).located).toBe('files/a.txt.hbs:2:5 spec.metadata.nmae is not defined');
  });
});
