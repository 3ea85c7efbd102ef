import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { writeFileAtomic, writeFilesAtomic, writeTempFile, type TempWriter } from '../../src/fs/atomic.js';
import { staleTempsIn } from '../../src/fs/temps.js';
import { tempDir } from '../helpers/temp.js';

describe('writeFileAtomic', () => {
  it('writes a new file and leaves no temp file behind', async () => {
    const dir = tempDir();
    await writeFileAtomic(join(dir, 'a.yaml'), 'x: 1\n');
    expect(readFileSync(join(dir, 'a.yaml'), 'utf8')).toBe('x: 1\n');
    expect(readdirSync(dir)).toEqual(['a.yaml']);
  });

  it('replaces a file and keeps its mode', async () => {
    const dir = tempDir();
    const file = join(dir, 'run.sh');
    writeFileSync(file, 'old');
    chmodSync(file, 0o755);
    await writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(statSync(file).mode & 0o777).toBe(0o755);
  });

  it('leaves the old file whole when the write fails', async () => {
    const dir = tempDir();
    const file = join(dir, 'spec.yaml');
    writeFileSync(file, 'keep: me\n');
    // A directory cannot be renamed over by a file: the rename fails after the temp file is written.
    await expect(writeFileAtomic(dir, 'x')).rejects.toThrow();
    expect(readFileSync(file, 'utf8')).toBe('keep: me\n');
    expect(readdirSync(dir)).toEqual(['spec.yaml']);
    expect(readdirSync(join(dir, '..')).filter((name) => name.endsWith('.tmp') && name.includes(basename(dir)))).toEqual([]);
  });
});

describe('writeFileAtomic errors', () => {
  it('names the file and the reason when its folder does not exist', async () => {
    const dir = tempDir();
    const failure = await writeFileAtomic(join(dir, 'missing', 'a.yaml'), 'x').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UserError);
    expect((failure as UserError).message).toBe(`cannot write ${join(dir, 'missing', 'a.yaml')}: its folder does not exist`);
  });
});

describe('writeFilesAtomic: all or nothing', () => {
  it('writes every file, or none when one temp fails, and leaves no temp behind', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'spec.yaml'), 'old spec\n');
    const failing: TempWriter = async (path, content, mode) => {
      if (path.includes('adr.md')) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
      await writeTempFile(path, content, mode);
    };
    const writes = [
      { path: join(dir, 'spec.yaml'), content: 'new spec\n', display: 'spec.yaml' },
      { path: join(dir, 'adr.md'), content: 'adr\n', display: 'adr.md' },
    ];
    const failure = await writeFilesAtomic(writes, { writeTemp: failing }).catch((error: unknown) => error);
    expect((failure as UserError).message).toBe('cannot write adr.md: permission denied; nothing was changed');
    expect(readFileSync(join(dir, 'spec.yaml'), 'utf8')).toBe('old spec\n');
    expect(readdirSync(dir)).toEqual(['spec.yaml']);

    await writeFilesAtomic(writes);
    expect(readFileSync(join(dir, 'spec.yaml'), 'utf8')).toBe('new spec\n');
    expect(readdirSync(dir).sort()).toEqual(['adr.md', 'spec.yaml']);
  });

  it('puts back the files already renamed when a later rename fails', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'old a');
    // A folder where the second file goes: its temp is written, its rename fails.
    mkdirSync(join(dir, 'b.txt'));
    const failure = await writeFilesAtomic([
      { path: join(dir, 'a.txt'), content: 'new a', display: 'a.txt' },
      { path: join(dir, 'new.txt'), content: 'new', display: 'new.txt' },
      { path: join(dir, 'b.txt'), content: 'new b', display: 'b.txt' },
    ]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UserError);
    expect((failure as UserError).message).toMatch(/^cannot write b\.txt: it is a folder; nothing was changed$/);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('old a');
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.txt']);
  });

  it('removes the temps of a killed run (its process is gone), never those of a live one', async () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = `.a.txt.${dead}.0123abcd.tmp`;
    const live = `.a.txt.${process.ppid}.89abcdef.tmp`;
    writeFileSync(join(dir, stale), 'half');
    writeFileSync(join(dir, live), 'busy');
    writeFileSync(join(dir, 'user.tmp'), 'not ours');
    expect(staleTempsIn(dir)).toEqual([stale]);
    await writeFileAtomic(join(dir, 'a.txt'), 'x');
    expect(readdirSync(dir).sort()).toEqual([live, 'a.txt', 'user.tmp'].sort());
  });
});
