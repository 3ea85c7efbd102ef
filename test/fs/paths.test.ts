import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { insideRoot } from '../../src/fs/paths.js';

describe('insideRoot', () => {
  const root = join('/', 'work', 'project');
  it('gives a path inside the root with forward slashes, from a relative or an absolute path', () => {
    expect(insideRoot(root, 'src/index.ts')).toBe('src/index.ts');
    expect(insideRoot(root, join(root, 'docs', 'adr', '0001.md'))).toBe('docs/adr/0001.md');
    expect(insideRoot(root, 'src/../README.md')).toBe('README.md');
  });
  it('keeps a name that only starts with two dots', () => {
    expect(insideRoot(root, '..notes')).toBe('..notes');
  });
  it('gives nothing for the root itself and for anything outside it', () => {
    expect(insideRoot(root, '.')).toBeUndefined();
    expect(insideRoot(root, '..')).toBeUndefined();
    expect(insideRoot(root, '../other/file')).toBeUndefined();
    expect(insideRoot(root, '/etc/passwd')).toBeUndefined();
    expect(insideRoot(root, join('/', 'work', 'project-b', 'x'))).toBeUndefined();
  });
});
