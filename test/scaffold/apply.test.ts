import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InterruptedError, UserError } from '../../src/errors.js';
import { applyPlan, nextManifest, writeTempFile, type TempWriter } from '../../src/scaffold/apply.js';
import { sha256 } from '../../src/scaffold/plan.js';
import { readProjectState } from '../../src/scaffold/state.js';
import type { Plan, PlanEntry, ProjectManifest } from '../../src/scaffold/types.js';
import { tempDir } from '../helpers/temp.js';
import { snapshot } from './helpers.js';
import { rejection } from '../helpers/errors.js';

const NOW = new Date('2026-11-25T10:00:00.000Z');
const pack = { name: 'mini', version: '1.0.0', source: { kind: 'bundled' as const, name: 'mini' } };

function write(path: string, text: string, fields: Partial<PlanEntry> = {}): PlanEntry {
  const content = Buffer.from(text);
  return {
    path,
    action: 'create',
    ownership: 'managed',
    diff: '',
    mode: 0o644,
    content,
    manifestEntry: { ownership: fields.ownership ?? 'managed', sha256: sha256(content) },
    ...fields,
  };
}
const plan = (entries: PlanEntry[]): Plan => ({ pack, specHash: 'h', entries, orphaned: [] });

/** Any error will do here: a UserError, or the InterruptedError of Ctrl-C. */
const failed = (promise: Promise<unknown>) => rejection(promise, Error);

describe('applyPlan', () => {
  it('writes the files, the base copies of merged files and the manifest; keeps the executable bit', async () => {
    const root = tempDir();
    const result = await applyPlan(
      root,
      plan([
        write('bin/run.sh', '#!/bin/sh\n', { mode: 0o755 }),
        write('config/a.yaml', 'a: 1\n', { ownership: 'merged', base: Buffer.from('a: 1\n') }),
        write('c.yaml', 'mine\n', {
          action: 'conflict',
          content: undefined,
          reject: { path: 'c.yaml.rej', content: Buffer.from('pack\n') },
        }),
      ]),
      undefined,
      { now: NOW },
    );
    expect(result).toEqual({ files: ['bin/run.sh', 'config/a.yaml', 'c.yaml.rej'], manifest: true, total: 5 });
    expect(statSync(join(root, 'bin/run.sh')).mode & 0o111).not.toBe(0);
    expect(statSync(join(root, 'config/a.yaml')).mode & 0o111).toBe(0);
    expect(readFileSync(join(root, '.shipshape/base/config/a.yaml'), 'utf8')).toBe('a: 1\n');
    expect(readFileSync(join(root, 'c.yaml.rej'), 'utf8')).toBe('pack\n');
    expect(existsSync(join(root, 'c.yaml'))).toBe(false);
    expect(JSON.parse(readFileSync(join(root, '.shipshape/manifest.json'), 'utf8'))).toEqual({
      version: 1,
      pack,
      specHash: 'h',
      generatedAt: NOW.toISOString(),
      files: {
        'bin/run.sh': { ownership: 'managed', sha256: sha256(Buffer.from('#!/bin/sh\n')) },
        'c.yaml': { ownership: 'managed', sha256: sha256(Buffer.from('mine\n')) },
        'config/a.yaml': { ownership: 'merged', sha256: sha256(Buffer.from('a: 1\n')) },
      },
    });
  });

  it('a failing write rolls everything back: no file changed, no temp, no new folder', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'keep.txt'), 'old\n');
    const before = snapshot(root);
    let calls = 0;
    const failing: TempWriter = async (path, content, mode) => {
      calls++;
      if (path.includes('z.txt')) throw Object.assign(new Error('denied'), { code: 'EACCES' });
      await writeTempFile(path, content, mode);
    };
    const error = await failed(
      applyPlan(
        root,
        plan([write('keep.txt', 'new\n', { action: 'update' }), write('deep/er/a.txt', 'a\n'), write('z.txt', 'z\n')]),
        undefined,
        {
          writeTemp: failing,
        },
      ),
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe('cannot write z.txt: permission denied; nothing was changed');
    // The batch settles whole (the manifest's temp too), and nothing is renamed into place.
    expect(calls).toBe(4);
    expect(snapshot(root)).toEqual(before);
    expect(existsSync(join(root, 'deep'))).toBe(false);
    expect(existsSync(join(root, '.shipshape'))).toBe(false);
  });

  it('a failing write in a later batch stops the batches after it and rolls back every temp', async () => {
    const root = tempDir();
    const before = snapshot(root);
    const attempted: string[] = [];
    const failing: TempWriter = async (path, content, mode) => {
      attempted.push(path);
      if (path.includes('f19.txt')) throw Object.assign(new Error('full'), { code: 'ENOSPC' });
      await writeTempFile(path, content, mode);
    };
    const files = Array.from({ length: 40 }, (_, i) => write(`f${String(i).padStart(2, '0')}.txt`, `${i}\n`));
    const error = await failed(applyPlan(root, plan(files), undefined, { writeTemp: failing }));
    expect(error.message).toBe('cannot write f19.txt: the disk is full; nothing was changed');
    // Batches of 16: the second, holding f19, settles whole; the third is never started.
    expect(attempted).toHaveLength(32);
    expect(snapshot(root)).toEqual(before);
  });

  it.each([
    ['the first', 'a.txt'],
    ['the last', 'manifest.json'],
  ])('Ctrl-C during %s temp write rolls back and says so', async (_, trigger) => {
    const root = tempDir();
    const controller = new AbortController();
    const aborting: TempWriter = async (path, content, mode) => {
      await writeTempFile(path, content, mode);
      if (path.includes(trigger)) controller.abort();
    };
    const error = await failed(
      applyPlan(root, plan([write('a.txt', 'a\n'), write('b/c.txt', 'c\n')]), undefined, {
        writeTemp: aborting,
        signal: controller.signal,
      }),
    );
    expect(error).toBeInstanceOf(InterruptedError);
    expect(controller.signal.aborted).toBe(true);
    expect(snapshot(root)).toEqual({});
    expect(existsSync(join(root, 'b'))).toBe(false);
  });

  it.each([
    ['../escape.txt', 'leaves the project'],
    ['/tmp/escape.txt', 'leaves the project'],
    ['a/../../escape.txt', 'leaves the project'],
    ['a/../b.txt', 'leaves the project (..)'],
    ['.shipshape/manifest.json', 'is inside .shipshape/, which shipshape keeps for itself'],
  ])('refuses a plan entry at %s, writing nothing (the render refuses it first; apply checks again)', async (path, reason) => {
    const parent = tempDir();
    const root = join(parent, 'project');
    mkdirSync(root);
    const error = await failed(applyPlan(root, plan([write('a.txt', 'a\n'), write(path, 'x\n')]), undefined));
    expect(error.message).toBe(`refusing to write ${JSON.stringify(path)}: the path ${reason}; nothing was changed`);
    expect(snapshot(parent)).toEqual({});
    expect(existsSync('/tmp/escape.txt')).toBe(false);
  });

  it('never writes through a folder that is a symbolic link out of the project', async () => {
    const root = tempDir();
    const outside = tempDir();
    symlinkSync(outside, join(root, 'src'));
    const error = await failed(applyPlan(root, plan([write('a.txt', 'a\n'), write('src/evil.ts', 'x\n')]), undefined));
    expect(error.message).toBe('refusing to write src/evil.ts: src is a symbolic link out of the project; nothing was changed');
    expect(snapshot(outside)).toEqual({});
    expect(existsSync(join(root, 'a.txt'))).toBe(false);
    // The plan sees it the same way: the path is blocked, --force or not.
    const state = await readProjectState(root, ['src/evil.ts', 'a.txt'], []);
    expect(state.files.get('src/evil.ts')).toEqual({ kind: 'blocked', reason: 'src is a symbolic link out of the project' });
    expect(state.files.get('a.txt')).toEqual({ kind: 'missing' });
  });

  it('a link inside the project is followed for folders; a target that is itself a link is refused', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'real'));
    symlinkSync(join(root, 'real'), join(root, 'alias'));
    await applyPlan(root, plan([write('alias/a.txt', 'a\n')]), undefined);
    expect(readFileSync(join(root, 'real/a.txt'), 'utf8')).toBe('a\n');
    symlinkSync('/etc/hostname', join(root, 'link.txt'));
    const error = await failed(applyPlan(root, plan([write('link.txt', 'x\n')]), undefined));
    expect(error.message).toBe('refusing to write link.txt: it is a symbolic link; nothing was changed');
  });
});

describe('nextManifest', () => {
  const previous: ProjectManifest = {
    version: 1,
    pack,
    specHash: 'h',
    generatedAt: '2026-01-01T00:00:00.000Z',
    files: { 'a.txt': { ownership: 'managed', sha256: sha256(Buffer.from('a\n')) } },
  };

  it('is undefined when nothing in it would change (the old date stays), and writes nothing', async () => {
    const unchanged = plan([write('a.txt', 'a\n', { action: 'unchanged', content: undefined })]);
    expect(nextManifest(unchanged, previous, NOW)).toBe(undefined);
    const root = tempDir();
    expect(await applyPlan(root, unchanged, previous)).toEqual({ files: [], manifest: false, total: 0 });
    expect(snapshot(root)).toEqual({});
  });

  it('keeps the entries the plan keeps, and drops files the plan does not record', () => {
    const next = nextManifest(
      {
        ...plan([
          write('a.txt', 'x\n', { action: 'conflict', content: undefined, manifestEntry: previous.files['a.txt']! }),
          write('mine.ts', 'm\n', { action: 'conflict', content: undefined, manifestEntry: undefined }),
        ]),
        specHash: 'h2',
        orphaned: ['gone.txt'],
      },
      { ...previous, files: { ...previous.files, 'gone.txt': { ownership: 'managed', sha256: sha256(Buffer.from('g')) } } },
      NOW,
    );
    expect(next).toEqual({ version: 1, pack, specHash: 'h2', generatedAt: NOW.toISOString(), files: { 'a.txt': previous.files['a.txt'] } });
  });
});
