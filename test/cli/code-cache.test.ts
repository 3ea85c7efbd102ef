/**
 * The start-up code cache (src/cli/boot.ts) as a user meets it: written under the cache folder and
 * never in the project; a warm start answers as a cold one; a cache cut short, zeroed, overwritten
 * or left by another build is ignored (the output the same, the file replaced), never handed to V8
 * as it is; a cache folder that cannot be made costs only the compile. Whole processes: the start
 * is the subject.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { exampleProject, snapshot, tempDir } from '../helpers/temp.js';

const bins = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.bin'))
    .sort();

/** `check` of the example with the cache under `cache` (or the cache turned off). */
const check = (project: string, cache: string, off = false, env: Record<string, string> = {}): Promise<CliResult> =>
  runCli(['check', 'shipshape.yaml', '--format', 'json'], {
    cwd: project,
    env: { SHIPSHAPE_CACHE_DIR: cache, SHIPSHAPE_CODE_CACHE: off ? '0' : '', ...env },
  });

/** The cached data's header is 12 bytes (magic, checksum, length): damage the payload after it. */
const DAMAGE: Record<string, (file: string) => void> = {
  'cut short': (file) => truncateSync(file, Math.floor(statSync(file).size / 2)),
  'a 4 KiB run zeroed in the middle': (file) => {
    const bytes = readFileSync(file);
    bytes.fill(0, bytes.length >> 1, (bytes.length >> 1) + 4096);
    writeFileSync(file, bytes);
  },
  'overwritten with garbage of the same length': (file) => {
    const bytes = readFileSync(file);
    for (let i = 12; i < bytes.length; i++) bytes[i] = (i * 131 + 7) & 0xff;
    writeFileSync(file, bytes);
  },
  'its last bytes changed': (file) => {
    const bytes = readFileSync(file);
    for (let i = bytes.length - 64; i < bytes.length; i++) bytes[i] = bytes[i]! ^ 0x5a;
    writeFileSync(file, bytes);
  },
  emptied: (file) => writeFileSync(file, ''),
};

describe('the start-up code cache', () => {
  it('is written under the cache folder, never in the project, and a warm start answers as a cold one', async () => {
    const project = exampleProject();
    const cache = tempDir();
    const before = snapshot(project);

    const plain = await check(project, cache, true);
    expect(plain.exitCode).toBe(0);
    expect(readdirSync(cache)).toEqual([]);

    const cold = await check(project, cache);
    const written = bins(join(cache, 'code'));
    expect(written.length).toBeGreaterThan(0);
    const bytes = written.map((name) => readFileSync(join(cache, 'code', name)));
    const warm = await check(project, cache);

    for (const run of [cold, warm]) expect(run).toEqual(plain);
    // A cache V8 accepted is not rewritten.
    expect(written.map((name) => readFileSync(join(cache, 'code', name)))).toEqual(bytes);
    expect(snapshot(project)).toEqual(before);
  }, 60_000);

  it.each(Object.entries(DAMAGE))(
    'a cache %s is ignored and replaced, the answer the same',
    async (_, damage) => {
      const project = exampleProject();
      const cache = tempDir();
      const good = await check(project, cache);
      const dir = join(cache, 'code');
      const files = bins(dir);
      const sound = files.map((name) => readFileSync(join(dir, name)));
      for (const name of files) damage(join(dir, name));
      const damaged = files.map((name) => readFileSync(join(dir, name)));

      const after = await check(project, cache);
      expect(after).toEqual(good);
      // Replaced by a sound one: the same build and Node write the same kind of file again.
      expect(bins(dir)).toEqual(files);
      for (const [at, name] of files.entries()) {
        const now = readFileSync(join(dir, name));
        expect(now.equals(damaged[at]!)).toBe(false);
        expect(now.subarray(0, 4)).toEqual(sound[at]!.subarray(0, 4));
        // Whole: the length its header gives.
        expect(now.length).toBe(12 + now.readUInt32LE(8));
      }
      expect(await check(project, cache)).toEqual(good);
    },
    60_000,
  );

  it("another build's cache is not read, and is removed when this build's is written", async () => {
    const project = exampleProject();
    const cache = tempDir();
    const good = await check(project, cache);
    const dir = join(cache, 'code');
    const [name] = bins(dir);
    // The same bundle and Node, another build: the name's hash and mtime differ.
    const other = name!.replace(/-[0-9a-f]{32}-\d+-/, `-${'0'.repeat(32)}-1-`);
    expect(other).not.toBe(name);
    writeFileSync(join(dir, other), readFileSync(join(dir, name!)));
    for (const file of bins(dir).filter((file) => file !== other)) writeFileSync(join(dir, file), '');

    expect(await check(project, cache)).toEqual(good);
    expect(bins(dir)).not.toContain(other);
  }, 60_000);

  it('a cache folder that cannot be made costs only the compile', async () => {
    const project = exampleProject();
    const cache = tempDir();
    const good = await check(project, cache, true);
    // `code` is a file where the folder should be.
    writeFileSync(join(cache, 'code'), 'not a folder');
    expect(await check(project, cache)).toEqual(good);
    expect(readFileSync(join(cache, 'code'), 'utf8')).toBe('not a folder');
    // A relative cache folder is not trusted: the cache goes to the XDG cache home, nothing lands in the project.
    mkdirSync(join(project, 'rel'), { recursive: true });
    const before = snapshot(project);
    const xdg = tempDir();
    expect(await check(project, 'rel', false, { XDG_CACHE_HOME: xdg })).toEqual(good);
    expect(snapshot(project)).toEqual(before);
    expect(readdirSync(join(project, 'rel'))).toEqual([]);
    expect(bins(join(xdg, 'shipshape', 'code')).length).toBeGreaterThan(0);
  }, 60_000);
});
