import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forEachChunkSync, openRegularSync, ReadError, readFileBoundedSync, readTextBoundedSync } from '../../src/fs/read.js';
import { tempDir } from '../helpers/temp.js';

/** The refusal a read throws, or undefined when it read. */
function refusal(read: () => unknown): ReadError | undefined {
  try {
    read();
    return undefined;
  } catch (error) {
    if (error instanceof ReadError) return error;
    throw error;
  }
}

describe('the bounded reader', () => {
  it('reads a regular file, and one through a symbolic link', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.yaml'), 'x: 1\n');
    symlinkSync(join(dir, 'a.yaml'), join(dir, 'link.yaml'));
    expect(readTextBoundedSync(join(dir, 'a.yaml'))).toBe('x: 1\n');
    expect(readTextBoundedSync(join(dir, 'link.yaml'))).toBe('x: 1\n');
  });

  // A hang fails the test (vitest's timeout) instead of hanging the run.
  it('refuses a named pipe at once, without waiting for a writer', { timeout: 10_000 }, () => {
    const dir = tempDir();
    execFileSync('mkfifo', [join(dir, 'shipshape.yaml')]);
    const error = refusal(() => readFileBoundedSync(join(dir, 'shipshape.yaml'), { display: 'shipshape.yaml' }));
    expect(error?.reason).toBe('not-regular');
    expect(error?.message).toBe('cannot read shipshape.yaml: it is a named pipe (FIFO), not a regular file');
    expect(error?.exitCode).toBe(2);
  });

  it('refuses a link to /dev/zero as the device it points at, naming the target', { timeout: 10_000 }, () => {
    const dir = tempDir();
    symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
    const error = refusal(() => readFileBoundedSync(join(dir, 'zero.yaml'), { display: 'zero.yaml' }));
    expect(error?.message).toBe('cannot read zero.yaml: it is a device (a symbolic link to /dev/zero), not a regular file');
  });

  it('refuses a folder and a socket', { timeout: 10_000 }, async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'folder'));
    expect(refusal(() => readFileBoundedSync(join(dir, 'folder'), { display: 'folder' }))?.message).toBe(
      'cannot read folder: it is a folder, not a regular file',
    );
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, 'sock'), resolve));
    try {
      const error = refusal(() => readFileBoundedSync(join(dir, 'sock'), { display: 'sock' }));
      expect(error?.reason).toBe('not-regular');
      expect(error?.message).toBe('cannot read sock: it is a socket');
    } finally {
      server.close();
    }
  });

  it('names a missing file and a folder in the way as such', () => {
    const dir = tempDir();
    expect(refusal(() => readFileBoundedSync(join(dir, 'none'), { display: 'none' }))?.reason).toBe('missing');
    writeFileSync(join(dir, 'file'), '');
    expect(refusal(() => readFileBoundedSync(join(dir, 'file', 'x'), { display: 'file/x' }))?.message).toBe(
      'cannot read file/x: a parent of it is not a folder (ENOTDIR)',
    );
  });

  it('enforces the cap while reading, not from the size fstat reports (0 for /proc files)', () => {
    // /proc/self/status says size 0 and holds about a KB.
    const error = refusal(() => readFileBoundedSync('/proc/self/status', { maxBytes: 64, what: 'answers file', display: 'status' }));
    expect(error?.reason).toBe('too-large');
    expect(error?.message).toBe('cannot read status: it is over 64 bytes; an answers file may be at most 64 bytes');
    expect(readTextBoundedSync('/proc/self/status', { maxBytes: 1024 * 1024 })).toContain('Pid:');
  });

  it('refuses a regular file over the cap from its size, naming the kind of file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'big'), Buffer.alloc(2 * 1024 * 1024, 0x61));
    expect(refusal(() => readFileBoundedSync(join(dir, 'big'), { what: 'policy file', display: 'big' }))?.message).toBe(
      'cannot read big: it is 2.0 MiB; a policy file may be at most 1 MiB',
    );
    // Exactly at the cap is fine.
    writeFileSync(join(dir, 'edge'), Buffer.alloc(1024 * 1024, 0x61));
    expect(readFileBoundedSync(join(dir, 'edge')).length).toBe(1024 * 1024);
  });

  it('streams chunks of regular files only, within a cap', { timeout: 10_000 }, () => {
    const dir = tempDir();
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    expect(() => openRegularSync(join(dir, 'pipe'))).toThrow(ReadError);
    const chunks: number[] = [];
    writeFileSync(join(dir, 'f'), Buffer.alloc(200 * 1024));
    forEachChunkSync(join(dir, 'f'), (chunk) => chunks.push(chunk.length), { maxBytes: 1024 * 1024 });
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(200 * 1024);
    expect(() => forEachChunkSync(join(dir, 'f'), () => {}, { maxBytes: 1024 })).toThrow(/over 1 KiB/);
  });
});
