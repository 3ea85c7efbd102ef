import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSpecFiles } from '../../src/check/files.js';
import { displayPath } from '../../src/fs/paths.js';
import { findSpecUpward, locateSpec } from '../../src/spec/locate.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';

function project() {
  const dir = tempDir();
  for (const name of ['a', 'b', 'b/deep']) mkdirSync(join(dir, 'services', name), { recursive: true });
  cpSync(EXAMPLE, join(dir, 'services/a/shipshape.yaml'));
  cpSync(EXAMPLE, join(dir, 'services/b/deep/shipshape.yml'));
  cpSync(EXAMPLE, join(dir, 'services/b/search.shipshape.yaml'));
  writeFileSync(join(dir, 'services/b/other.yaml'), 'not: a spec\n');
  mkdirSync(join(dir, 'services/node_modules/x'), { recursive: true });
  cpSync(EXAMPLE, join(dir, 'services/node_modules/x/shipshape.yaml'));
  return dir;
}

describe('which files check reads', () => {
  it('finds the spec upward from a subfolder', async () => {
    const dir = project();
    expect(await findSpecUpward(join(dir, 'services/b/deep'))).toBe(join(dir, 'services/b/deep/shipshape.yml'));
    expect(await resolveSpecFiles([], join(dir, 'services/a'))).toEqual([join(dir, 'services/a/shipshape.yaml')]);
  });

  it('fails clearly when there is no spec upward', async () => {
    const dir = tempDir();
    await expect(resolveSpecFiles([], dir)).rejects.toThrow(/no shipshape.yaml in .* or any folder above it/);
  });

  it('locates the spec of a command: --spec as given, else upward from --dir or the working directory', async () => {
    const dir = project();
    expect(await locateSpec({ cwd: dir, spec: 'services/b/search.shipshape.yaml' })).toBe(join(dir, 'services/b/search.shipshape.yaml'));
    expect(await locateSpec({ cwd: dir, dir: 'services/b/deep' })).toBe(join(dir, 'services/b/deep/shipshape.yml'));
    expect(await locateSpec({ cwd: join(dir, 'services/a') })).toBe(join(dir, 'services/a/shipshape.yaml'));
    const empty = tempDir();
    await expect(locateSpec({ cwd: empty })).rejects.toMatchObject({
      message: `no shipshape.yaml in ${empty} or any folder above it`,
      hint: 'Run `shipshape init` to write one, or pass --spec FILE.',
    });
  });

  it('searches folders for spec names only, skipping node_modules', async () => {
    const dir = project();
    const files = await resolveSpecFiles(['services'], dir);
    expect(files.map((f) => displayPath(f, dir))).toEqual([
      'services/a/shipshape.yaml',
      'services/b/deep/shipshape.yml',
      'services/b/search.shipshape.yaml',
    ]);
  });

  it('takes globs and explicit files of any name, without duplicates', async () => {
    const dir = project();
    const files = await resolveSpecFiles(['services/*/shipshape.yaml', 'services/a/shipshape.yaml', 'services/b/other.yaml'], dir);
    expect(files.map((f) => displayPath(f, dir))).toEqual(['services/a/shipshape.yaml', 'services/b/other.yaml']);
  });

  it('refuses a missing path, an empty folder and a glob that matches nothing', async () => {
    const dir = project();
    mkdirSync(join(dir, 'empty'));
    await expect(resolveSpecFiles(['nope.yaml'], dir)).rejects.toThrow('no such file or folder: nope.yaml');
    await expect(resolveSpecFiles(['empty'], dir)).rejects.toThrow('no spec files in empty');
    await expect(resolveSpecFiles(['**/*.json'], dir)).rejects.toThrow('no files match **/*.json');
  });

  it('names files relative to the working directory when inside it', () => {
    expect(displayPath('/a/b/c.yaml', '/a')).toBe('b/c.yaml');
    expect(displayPath('/x/c.yaml', '/a')).toBe('/x/c.yaml');
  });
});
