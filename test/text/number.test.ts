import { describe, expect, it } from 'vitest';
import { ms, num, percentOf, usd } from '../../src/text/number.js';

describe('num', () => {
  it('rounds away floating-point noise and trailing zeros', () => {
    expect(num(0.1 + 0.2)).toBe('0.3');
    expect(num(0.0014000000000000002)).toBe('0.0014');
    expect(num(2.5, 0)).toBe('3');
    expect(num(1200)).toBe('1200');
    expect(num(99.95, 1)).toBe('100');
  });
  it('groups thousands only when asked, and keeps the sign', () => {
    expect(num(1234567.891, 2, true)).toBe('1,234,567.89');
    expect(num(1234567.891, 2)).toBe('1234567.89');
    expect(num(-8400, 2, true)).toBe('-8,400');
    expect(num(-0.0000001)).toBe('0');
  });
  it('prints non-finite values as they are', () => {
    expect(num(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(num(Number.NaN)).toBe('NaN');
  });
});

describe('units', () => {
  it('formats dollars, milliseconds and percentages', () => {
    expect(usd(8400)).toBe('$8,400');
    expect(usd(0.00014)).toBe('$0.00014');
    expect(usd(1234.5678)).toBe('$1,234.57');
    expect(ms(2450.04)).toBe('2450 ms');
    expect(ms(2450.04, true)).toBe('2,450 ms');
    expect(percentOf(0.35)).toBe('35%');
    expect(percentOf(0.99955, 3)).toBe('99.955%');
  });
});
