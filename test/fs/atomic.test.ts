import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/fs/atomic.js';
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
