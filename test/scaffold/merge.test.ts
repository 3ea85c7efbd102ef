import { describe, expect, it } from 'vitest';
import { gitMergeFile } from '../../src/scaffold/merge.js';

const labels = { ours: 'yours', base: 'base', theirs: 'pack mini@2.0.0' };
const merge = (base: string, ours: string, theirs: string) =>
  gitMergeFile({ base: Buffer.from(base), ours: Buffer.from(ours), theirs: Buffer.from(theirs), labels });

describe('gitMergeFile', () => {
  it('merges changes to different lines cleanly', async () => {
    const result = await merge('a\nb\nc\nd\n', 'A\nb\nc\nd\n', 'a\nb\nc\nD\n');
    expect(result).toEqual({ clean: true, content: Buffer.from('A\nb\nc\nD\n'), conflicts: 0 });
  });

  it('marks conflicting changes diff3-style with the three labels, and counts them', async () => {
    const result = await merge('a\nb\nc\nd\ne\n', 'X\nb\nc\nd\nY\n', 'P\nb\nc\nd\nQ\n');
    expect(result.clean).toBe(false);
    expect(result.conflicts).toBe(2);
    expect(result.content.toString()).toBe(
      '<<<<<<< yours\nX\n||||||| base\na\n=======\nP\n>>>>>>> pack mini@2.0.0\nb\nc\nd\n<<<<<<< yours\nY\n||||||| base\ne\n=======\nQ\n>>>>>>> pack mini@2.0.0\n',
    );
  });

  it('keeps a file without a final newline as it is', async () => {
    const result = await merge('a\nb', 'a\nb', 'a\nB');
    expect(result.content.toString()).toBe('a\nB');
  });
});
