import { describe, expect, it, vi } from 'vitest';
import { checkFile } from '../src/check/check-file.js';
import { RULES } from '../src/check/rules/index.js';
import { BugError, ExitCode, ioUserError, UserError } from '../src/errors.js';
import { EXAMPLE } from './helpers/temp.js';

const errno = (code: string, syscall: string, path: string) =>
  Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });

describe('expected I/O failures are bad input, not bugs', () => {
  for (const [code, reason] of [
    ['EACCES', 'permission denied'],
    ['EROFS', 'the file system is read-only'],
    ['EISDIR', 'it is a folder'],
    ['ENOTDIR', 'a parent of it is not a folder'],
    ['ENAMETOOLONG', 'its name is too long'],
  ] as const) {
    it(`${code} names the file and exits 2`, () => {
      const error = ioUserError(errno(code, 'open', '/srv/app/shipshape.yaml'));
      expect(error).toBeInstanceOf(UserError);
      expect(error!.exitCode).toBe(ExitCode.usage);
      expect(error!.message).toBe(`cannot read or write /srv/app/shipshape.yaml: ${reason} (${code})`);
    });
  }

  it('leaves other errors alone: they are bugs', () => {
    expect(ioUserError(new TypeError('x is undefined'))).toBeUndefined();
    expect(ioUserError(Object.assign(new Error('?'), { code: 'ERR_SOMETHING' }))).toBeUndefined();
  });
});

describe('a check rule that throws', () => {
  it('is a bug of that rule, named, with its own exit code', async () => {
    const rule = RULES[0]!;
    const spy = vi.spyOn(rule, 'check').mockImplementation(() => {
      throw new Error('boom');
    });
    try {
      const failure = await checkFile(EXAMPLE, 'shipshape.yaml', { today: new Date() }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(BugError);
      expect((failure as Error).message).toBe(`the check rule ${rule.id} threw: boom`);
      expect(ExitCode.bug).not.toBe(ExitCode.failures);
    } finally {
      spy.mockRestore();
    }
  });
});
