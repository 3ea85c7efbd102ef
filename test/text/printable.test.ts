import { describe, expect, it } from 'vitest';
import { jsonSafe, oneLine, printable } from '../../src/text/printable.js';

const HOSTILE = 'a\x1b]0;PWNED\x07\x1b[2J\rb\u009b2J\u202ec\x00';
/** Any character a terminal acts on rather than shows, but line feed and tab. */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

describe('printable', () => {
  it('shows every control character as an escape, and keeps line feeds and tabs', () => {
    const out = printable(`${HOSTILE}\n\tnext`);
    expect(out).not.toMatch(RAW);
    expect(out).toBe('a\\x1b]0;PWNED\\x07\\x1b[2J\\x0db\\x9b2J\\u202ec\\x00\n\tnext');
  });

  it("keeps Paint's colour sequences with colour on, and nothing else", () => {
    const red = '\x1b[31mred\x1b[39m \x1b[1m\x1b[2mdim\x1b[22m \x1b[4mu\x1b[24m';
    expect(printable(red, { colour: true })).toBe(red);
    expect(printable(red)).not.toContain('\x1b');
    // A title, a clear, a cursor move, a hyperlink: escaped even with colour on.
    for (const sequence of ['\x1b]0;t\x07', '\x1b[2J', '\x1b[1;1H', '\x1b]8;;http://x\x1b\\', '\x1b[38;5;1m', '\x1b[8m'])
      expect(printable(sequence, { colour: true })).not.toContain('\x1b');
  });
});

describe('oneLine', () => {
  it('puts a value on one line, controls escaped', () => {
    expect(oneLine('one\r\n  two\n\nthree\tfour')).toBe('one two three four');
    expect(oneLine(HOSTILE)).not.toMatch(RAW);
    expect(oneLine(HOSTILE)).not.toContain('\n');
  });
});

describe('jsonSafe', () => {
  it('escapes what JSON.stringify leaves raw, and the value reads back the same', () => {
    const json = jsonSafe(JSON.stringify({ reason: HOSTILE }));
    expect(json).not.toMatch(RAW);
    expect(JSON.parse(json)).toEqual({ reason: HOSTILE });
  });
});
