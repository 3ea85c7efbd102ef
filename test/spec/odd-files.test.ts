/**
 * Issue 12, misleading messages: files that are not what a spec reader expects get a message that
 * says what they are (UTF-16, CR-only line ends, nesting too deep), not "binary", "empty" or a
 * stack overflow.
 */
import { describe, expect, it } from 'vitest';
import { MAX_NESTING, parseYamlText } from '../../src/spec/yaml-file.js';
import { exampleText } from '../design/helpers.js';

const only = (input: string | Uint8Array, what?: string) => {
  const parsed = parseYamlText('shipshape.yaml', typeof input === 'string' ? Buffer.from(input) : input, what);
  expect(parsed.diagnostics).toHaveLength(1);
  return parsed.diagnostics[0]!;
};

describe('odd files', () => {
  it('UTF-16, with or without a byte-order mark, either byte order: "UTF-16; save it as UTF-8"', () => {
    const cases: [Buffer, string][] = [
      [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(exampleText, 'utf16le')]), 'little-endian, with a byte-order mark'],
      [Buffer.from(exampleText, 'utf16le'), 'little-endian'],
      [Buffer.from(exampleText, 'utf16le').swap16(), 'big-endian'],
      [Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(exampleText, 'utf16le').swap16()]), 'big-endian, with a byte-order mark'],
    ];
    for (const [bytes, kind] of cases) {
      const diagnostic = only(bytes);
      expect(diagnostic.message).toBe(`is UTF-16 text (${kind}); save it as UTF-8`);
      expect(diagnostic).toMatchObject({ line: 1, column: 1 });
    }
    // A real binary file is still called one.
    expect(only(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d])).message).toMatch(/binary/);
  });

  it('a file with CR-only line ends is not "empty"', () => {
    const diagnostic = only(exampleText.replace(/\n/g, '\r'));
    expect(diagnostic.message).toMatch(/^ends its lines with CR alone/);
    expect(diagnostic.hint).toBe('Save the file with LF (or CRLF) line ends.');
    // CRLF reads as ever.
    expect(parseYamlText('shipshape.yaml', Buffer.from(exampleText.replace(/\n/g, '\r\n'))).diagnostics).toEqual([]);
  });

  it('nesting too deep says how deep may be, whether the reader gives up or not', () => {
    const flow = (depth: number) => `name: x\nv: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    const block = (depth: number) => Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}a:\n`).join('');
    expect(parseYamlText('s.yaml', flow(MAX_NESTING - 1)).diagnostics).toEqual([]);
    for (const text of [flow(MAX_NESTING + 1), block(MAX_NESTING + 1), flow(5000), block(1200)]) {
      const diagnostic = only(text);
      expect(diagnostic.message).toMatch(new RegExp(`^nests (more than )?\\d+ levels deep; a spec may nest at most ${MAX_NESTING}$`));
      expect(diagnostic.message).not.toContain('call stack');
    }
    expect(only(flow(100), 'policy file').message).toBe(`nests 101 levels deep; a policy file may nest at most ${MAX_NESTING}`);
  });
});
