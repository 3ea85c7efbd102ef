import { describe, expect, it } from 'vitest';
import { FORMATTERS, FORMAT_NAMES } from '../../../src/check/formatters/index.js';
import { plainPaint } from '../../../src/text/paint.js';
import { CWD, bigResult, cleanResult } from './fixture.js';

describe('the formatter registry', () => {
  it('has a formatter for every format name, each ending its output with a newline', async () => {
    expect(Object.keys(FORMATTERS).sort()).toEqual([...FORMAT_NAMES].sort());
    for (const name of FORMAT_NAMES) {
      for (const result of [bigResult(), cleanResult()]) {
        const text = (await FORMATTERS[name]())(result, { paint: plainPaint, cwd: CWD, version: '1.2.3' });
        expect(text.endsWith('\n'), name).toBe(true);
        expect(text.endsWith('\n\n'), name).toBe(false);
      }
    }
  });

  it('paints nothing with plainPaint', () => {
    for (const paint of Object.values(plainPaint)) expect(paint('x\u001b[31m')).toBe('x\u001b[31m');
  });
});
