import { describe, expect, it } from 'vitest';
import { compareVersions, parseVersion, VERSION_PATTERN } from '../../src/text/semver.js';

const compare = (a: string, b: string) => Math.sign(compareVersions(parseVersion(a)!, parseVersion(b)!));

describe('versions', () => {
  it('orders by major, minor and patch as numbers, not as text', () => {
    expect(compare('1.10.0', '1.9.0')).toBe(1);
    expect(compare('1.4.0', '1.4.0')).toBe(0);
    expect(compare('1.4.0', '1.4.1')).toBe(-1);
    expect(compare('2.0.0', '1.99.99')).toBe(1);
    expect(compare('0.10.2', '0.9.10')).toBe(1);
  });

  it('puts a pre-release before its release, and ignores build metadata', () => {
    expect(compare('1.4.0-beta.1', '1.4.0')).toBe(-1);
    expect(compare('1.4.1-beta.1', '1.4.0')).toBe(1);
    expect(compare('1.4.0+build.7', '1.4.0')).toBe(0);
  });

  it('reads x.y.z only, without leading zeros or a v', () => {
    for (const bad of ['1.4', 'v1.4.0', '01.4.0', '1.4.0.0', '', 'latest', '1.4.x']) expect(parseVersion(bad), bad).toBeUndefined();
    expect(VERSION_PATTERN.test('1.4.0')).toBe(true);
    expect(VERSION_PATTERN.test('1.4.0-beta.1')).toBe(false);
  });
});
