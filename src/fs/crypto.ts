/**
 * node:crypto, loaded on first use: it takes ~10 ms to load, which is more than the rest of
 * `check` or `status` on a project with nothing to hash. A module that only sometimes needs a hash
 * or random bytes (the atomic writer, the hash of a generated file) asks for it here.
 */
import type * as Crypto from 'node:crypto';
import { createRequire } from 'node:module';

let loaded: typeof Crypto | undefined;

export function nodeCrypto(): typeof Crypto {
  return (loaded ??= createRequire(import.meta.url)('node:crypto') as typeof Crypto);
}
