import { describe, expect, it } from 'vitest';
import { gitMergeFile, type Merger } from '../../src/scaffold/merge.js';
import { planGeneration, sha256, type PlanOptions } from '../../src/scaffold/plan.js';
import type { DiskFile } from '../../src/scaffold/state.js';
import type { ManifestFileEntry, Ownership, Plan, ProjectManifest, RenderedFile } from '../../src/scaffold/types.js';

const pack = { name: 'mini', version: '2.0.0', source: { kind: 'bundled' as const, name: 'mini' } };
const HEADER = '// Managed by shipshape (pack mini): `shipshape generate` rewrites this file. To take it over, delete this line.\n';
const buf = (text: string) => Buffer.from(text);
const file = (path: string, text: string, ownership: Ownership = 'managed'): RenderedFile => ({
  path,
  content: buf(text),
  ownership,
  mode: 0o644,
});
const entry = (text: string, ownership: Ownership = 'managed'): ManifestFileEntry => ({ ownership, sha256: sha256(buf(text)) });
const onDisk = (text: string): DiskFile => ({ kind: 'file', content: buf(text) });

interface Case {
  rendered: RenderedFile[];
  previous?: Record<string, ManifestFileEntry>;
  disk?: Record<string, DiskFile>;
  bases?: Record<string, string>;
  options?: Partial<PlanOptions>;
}

function plan(c: Case): Promise<Plan> {
  const previous: ProjectManifest | undefined = c.previous && {
    version: 1,
    pack: { ...pack, version: '1.0.0' },
    specHash: 'old',
    generatedAt: '2026-01-01T00:00:00.000Z',
    files: c.previous,
  };
  return planGeneration(
    {
      pack,
      specHash: 'new',
      rendered: c.rendered,
      previous,
      state: {
        files: new Map(Object.entries(c.disk ?? {})),
        bases: new Map(Object.entries(c.bases ?? {}).map(([path, text]) => [path, buf(text)])),
      },
    },
    { force: false, conflict: 'inline', merge: gitMergeFile, ...c.options },
  );
}

const noMerge: Merger = () => Promise.reject(new Error('no merge expected'));

describe('planGeneration', () => {
  it('create: a file that is not on disk; a merged one gets its base; a deleted one is written again', async () => {
    expect(
      await plan({
        rendered: [file('a.ts', `${HEADER}a\n`), file('b.yaml', 'b: 1\n', 'merged')],
        previous: { 'a.ts': entry(`${HEADER}old\n`) },
        options: { merge: noMerge },
      }),
    ).toEqual({
      pack,
      specHash: 'new',
      orphaned: [],
      entries: [
        {
          path: 'a.ts',
          action: 'create',
          ownership: 'managed',
          reason: 'was deleted; written again',
          diff: `--- a/a.ts\n+++ b/a.ts\n@@ -0,0 +1,2 @@\n+${HEADER}+a\n`,
          content: buf(`${HEADER}a\n`),
          mode: 0o644,
          manifestEntry: entry(`${HEADER}a\n`),
        },
        {
          path: 'b.yaml',
          action: 'create',
          ownership: 'merged',
          diff: '--- a/b.yaml\n+++ b/b.yaml\n@@ -0,0 +1 @@\n+b: 1\n',
          content: buf('b: 1\n'),
          mode: 0o644,
          manifestEntry: entry('b: 1\n', 'merged'),
          base: buf('b: 1\n'),
        },
      ],
    });
  });

  it('unchanged: the disk already holds the render (a merged base already equal is not rewritten)', async () => {
    const result = await plan({
      rendered: [file('a.ts', 'a\n'), file('b.yaml', 'b\n', 'merged')],
      disk: { 'a.ts': onDisk('a\n'), 'b.yaml': onDisk('b\n') },
      bases: { 'b.yaml': 'b\n' },
      options: { merge: noMerge },
    });
    expect(result.entries).toEqual([
      { path: 'a.ts', action: 'unchanged', ownership: 'managed', diff: '', mode: 0o644, manifestEntry: entry('a\n') },
      { path: 'b.yaml', action: 'unchanged', ownership: 'merged', diff: '', mode: 0o644, manifestEntry: entry('b\n', 'merged') },
    ]);
  });

  it('update: a managed file not edited since it was written; conflict when edited, update again with --force', async () => {
    const c: Case = {
      rendered: [file('a.ts', `${HEADER}new\n`)],
      previous: { 'a.ts': entry(`${HEADER}old\n`) },
      disk: { 'a.ts': onDisk(`${HEADER}old\n`) },
      options: { merge: noMerge },
    };
    const diff = `--- a/a.ts\n+++ b/a.ts\n@@ -1,2 +1,2 @@\n ${HEADER}-old\n+new\n`;
    expect((await plan(c)).entries).toEqual([
      {
        path: 'a.ts',
        action: 'update',
        ownership: 'managed',
        diff,
        content: buf(`${HEADER}new\n`),
        mode: 0o644,
        manifestEntry: entry(`${HEADER}new\n`),
      },
    ]);

    c.disk = { 'a.ts': onDisk(`${HEADER}edited\n`) };
    const editedDiff = `--- a/a.ts\n+++ b/a.ts\n@@ -1,2 +1,2 @@\n ${HEADER}-edited\n+new\n`;
    expect((await plan(c)).entries).toEqual([
      {
        path: 'a.ts',
        action: 'conflict',
        ownership: 'managed',
        reason: 'edited by hand since it was generated; --force overwrites it',
        diff: editedDiff,
        mode: 0o644,
        manifestEntry: entry(`${HEADER}old\n`),
      },
    ]);
    expect((await plan({ ...c, options: { force: true, merge: noMerge } })).entries).toEqual([
      {
        path: 'a.ts',
        action: 'update',
        ownership: 'managed',
        reason: 'edited by hand; overwritten (--force)',
        diff: editedDiff,
        content: buf(`${HEADER}new\n`),
        mode: 0o644,
        manifestEntry: entry(`${HEADER}new\n`),
      },
    ]);
  });

  it('conflict: a file the manifest does not list, managed or merged, unless --force; skip: a seeded one', async () => {
    const c: Case = {
      rendered: [file('a.ts', 'pack\n'), file('b.yaml', 'pack\n', 'merged'), file('c.md', 'pack\n', 'seeded')],
      disk: { 'a.ts': onDisk('mine\n'), 'b.yaml': onDisk('mine\n'), 'c.md': onDisk('mine\n') },
      options: { merge: noMerge },
    };
    const diff = (path: string) => `--- a/${path}\n+++ b/${path}\n@@ -1 +1 @@\n-mine\n+pack\n`;
    const reason = 'exists, and shipshape did not generate it; --force overwrites it';
    expect((await plan(c)).entries).toEqual([
      { path: 'a.ts', action: 'conflict', ownership: 'managed', reason, diff: diff('a.ts'), mode: 0o644 },
      { path: 'b.yaml', action: 'conflict', ownership: 'merged', reason, diff: diff('b.yaml'), mode: 0o644 },
      { path: 'c.md', action: 'skip', ownership: 'seeded', reason: 'seeded, and a file of yours is already there', diff: '', mode: 0o644 },
    ]);
    const forced = await plan({ ...c, options: { force: true, merge: noMerge } });
    expect(forced.entries.map((e) => [e.path, e.action, e.reason])).toEqual([
      ['a.ts', 'update', 'not generated by shipshape; overwritten (--force)'],
      ['b.yaml', 'update', 'not generated by shipshape; overwritten (--force)'],
      ['c.md', 'skip', 'seeded, and a file of yours is already there'],
    ]);
    expect(forced.entries[1]!.base).toEqual(buf('pack\n'));
  });

  it('skip: a seeded file the pack wrote keeps its manifest entry, whatever the user did to it', async () => {
    const result = await plan({
      rendered: [file('README.md', '# v2\n', 'seeded')],
      previous: { 'README.md': entry('# v1\n', 'seeded') },
      disk: { 'README.md': onDisk('# mine\n') },
      options: { merge: noMerge },
    });
    expect(result.entries).toEqual([
      {
        path: 'README.md',
        action: 'skip',
        ownership: 'seeded',
        reason: 'seeded: yours now',
        diff: '',
        mode: 0o644,
        manifestEntry: entry('# v1\n', 'seeded'),
      },
    ]);
  });

  const base = 'a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n';

  it('merge: the user changed one line, the pack another; the merge is clean and its diff is from the disk', async () => {
    const result = await plan({
      rendered: [file('c.yaml', 'a: 1\nb: 2\nc: 3\nd: 4\ne: 50\n', 'merged')],
      previous: { 'c.yaml': entry(base, 'merged') },
      disk: { 'c.yaml': onDisk('a: 10\nb: 2\nc: 3\nd: 4\ne: 5\n') },
      bases: { 'c.yaml': base },
    });
    expect(result.entries).toEqual([
      {
        path: 'c.yaml',
        action: 'merge',
        ownership: 'merged',
        reason: "your edits merged with the pack's changes",
        diff: '--- a/c.yaml\n+++ b/c.yaml\n@@ -2,4 +2,4 @@\n b: 2\n c: 3\n d: 4\n-e: 5\n+e: 50\n',
        content: buf('a: 10\nb: 2\nc: 3\nd: 4\ne: 50\n'),
        mode: 0o644,
        manifestEntry: entry('a: 10\nb: 2\nc: 3\nd: 4\ne: 50\n', 'merged'),
        base: buf('a: 1\nb: 2\nc: 3\nd: 4\ne: 50\n'),
      },
    ]);
  });

  it('merged: not edited since written is an update; edited where the pack changed nothing is unchanged', async () => {
    const notEdited = await plan({
      rendered: [file('c.yaml', 'new\n', 'merged')],
      previous: { 'c.yaml': entry(base, 'merged') },
      disk: { 'c.yaml': onDisk(base) },
      bases: { 'c.yaml': base },
      options: { merge: noMerge },
    });
    expect(notEdited.entries.map((e) => [e.action, e.reason, e.content?.toString()])).toEqual([
      ['update', 'not edited since it was generated', 'new\n'],
    ]);

    const mine = 'a: 10\nb: 2\nc: 3\nd: 4\ne: 5\n';
    const nothingNew = await plan({
      rendered: [file('c.yaml', base, 'merged')],
      previous: { 'c.yaml': entry(base, 'merged') },
      disk: { 'c.yaml': onDisk(mine) },
      bases: { 'c.yaml': base },
    });
    expect(nothingNew.entries).toEqual([
      {
        path: 'c.yaml',
        action: 'unchanged',
        ownership: 'merged',
        reason: 'your edits kept; nothing new from the pack',
        diff: '',
        mode: 0o644,
        manifestEntry: entry(mine, 'merged'),
      },
    ]);
  });

  it('conflict: both changed the same line; inline markers by default, a .rej file with --conflict rej', async () => {
    const c: Case = {
      rendered: [file('c.yaml', 'a: 1\nb: 2\nc: pack\nd: 4\ne: 5\n', 'merged')],
      previous: { 'c.yaml': entry(base, 'merged') },
      disk: { 'c.yaml': onDisk('a: 1\nb: 2\nc: mine\nd: 4\ne: 5\n') },
      bases: { 'c.yaml': base },
    };
    const marked = 'a: 1\nb: 2\n<<<<<<< yours\nc: mine\n||||||| base\nc: 3\n=======\nc: pack\n>>>>>>> pack mini@2.0.0\nd: 4\ne: 5\n';
    expect((await plan(c)).entries).toEqual([
      {
        path: 'c.yaml',
        action: 'conflict',
        ownership: 'merged',
        reason: '1 conflicting change, marked inline: resolve the <<<<<<< yours / >>>>>>> pack markers',
        diff: '--- a/c.yaml\n+++ b/c.yaml\n@@ -1,5 +1,11 @@\n a: 1\n b: 2\n+<<<<<<< yours\n c: mine\n+||||||| base\n+c: 3\n+=======\n+c: pack\n+>>>>>>> pack mini@2.0.0\n d: 4\n e: 5\n',
        content: buf(marked),
        mode: 0o644,
        manifestEntry: entry(marked, 'merged'),
        base: buf('a: 1\nb: 2\nc: pack\nd: 4\ne: 5\n'),
      },
    ]);
    expect((await plan({ ...c, options: { conflict: 'rej' } })).entries).toEqual([
      {
        path: 'c.yaml',
        action: 'conflict',
        ownership: 'merged',
        reason: "1 conflicting change; your file is untouched and the pack's version is in c.yaml.rej",
        diff: '--- a/c.yaml\n+++ b/c.yaml\n@@ -1,5 +1,5 @@\n a: 1\n b: 2\n-c: mine\n+c: pack\n d: 4\n e: 5\n',
        reject: { path: 'c.yaml.rej', content: buf('a: 1\nb: 2\nc: pack\nd: 4\ne: 5\n') },
        mode: 0o644,
        manifestEntry: entry(base, 'merged'),
      },
    ]);
  });

  it('conflict: a merged file still holding the markers of an earlier run is not merged again, --force or not', async () => {
    const marked = 'a: 1\n<<<<<<< yours\nc: mine\n||||||| base\nc: 3\n=======\nc: pack\n>>>>>>> pack mini@2.0.0\n';
    const result = await plan({
      rendered: [file('c.yaml', 'a: 1\nc: pack\n', 'merged')],
      previous: { 'c.yaml': entry(marked, 'merged') },
      disk: { 'c.yaml': onDisk(marked) },
      bases: { 'c.yaml': 'a: 1\nc: pack\n' },
      options: { force: true, merge: noMerge },
    });
    expect(result.entries).toEqual([
      {
        path: 'c.yaml',
        action: 'conflict',
        ownership: 'merged',
        reason: 'still holds the conflict markers of an earlier run: resolve them, then run generate again',
        diff: '--- a/c.yaml\n+++ b/c.yaml\n@@ -1,8 +1,2 @@\n a: 1\n-<<<<<<< yours\n-c: mine\n-||||||| base\n-c: 3\n-=======\n c: pack\n->>>>>>> pack mini@2.0.0\n',
        mode: 0o644,
        manifestEntry: entry(marked, 'merged'),
      },
    ]);
  });

  it('conflict: a folder or a link in the way, even with --force; orphaned: what the old manifest lists and the pack no longer makes', async () => {
    const result = await plan({
      rendered: [file('a.ts', 'a\n'), file('b.ts', 'b\n')],
      previous: { 'b.ts': entry('b0\n'), 'gone.ts': entry('g\n'), 'also-gone.md': entry('g\n', 'seeded') },
      disk: {
        'a.ts': { kind: 'blocked', reason: 'is a folder' },
        'b.ts': { kind: 'blocked', reason: 'src is a symbolic link out of the project' },
      },
      options: { force: true, merge: noMerge },
    });
    expect(result).toEqual({
      pack,
      specHash: 'new',
      orphaned: ['also-gone.md', 'gone.ts'],
      entries: [
        {
          path: 'a.ts',
          action: 'conflict',
          ownership: 'managed',
          reason: 'is a folder; shipshape will not write there',
          diff: '',
          mode: 0o644,
        },
        {
          path: 'b.ts',
          action: 'conflict',
          ownership: 'managed',
          reason: 'src is a symbolic link out of the project; shipshape will not write there',
          diff: '',
          mode: 0o644,
          manifestEntry: entry('b0\n'),
        },
      ],
    });
  });

  it('a merged file without its base copy merges two ways; binary files are never merged', async () => {
    const twoWay = await plan({
      rendered: [file('c.yaml', 'x: pack\n', 'merged')],
      previous: { 'c.yaml': entry('x: 0\n', 'merged') },
      disk: { 'c.yaml': onDisk('x: mine\n') },
    });
    expect(twoWay.entries[0]).toMatchObject({
      action: 'conflict',
      reason:
        '1 conflicting change (no base copy in .shipshape/base: merged two ways), marked inline: resolve the <<<<<<< yours / >>>>>>> pack markers',
    });
    const binary = await plan({
      rendered: [{ ...file('img.bin', ''), ownership: 'merged', content: Buffer.from([1, 0, 2]) }],
      previous: { 'img.bin': entry('old', 'merged') },
      disk: { 'img.bin': { kind: 'file', content: Buffer.from([3, 0, 4]) } },
      bases: { 'img.bin': 'base' },
      options: { merge: noMerge },
    });
    expect(binary.entries[0]).toMatchObject({
      action: 'conflict',
      reason: 'binary, and changed by you and by the pack: it cannot be merged; --force overwrites it',
      diff: 'Binary files a/img.bin and b/img.bin differ\n',
    });
  });
});
