import { expect } from 'vitest';
import { UserError } from '../../src/errors.js';

/**
 * What `promise` rejects with, which must be a `type` (a UserError unless said otherwise): the
 * test fails if it resolves or rejects with something else.
 */
export async function rejection<T extends Error = UserError>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => T = UserError as unknown as abstract new (...args: never[]) => T,
): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}
