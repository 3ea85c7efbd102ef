/**
 * Runs in each test file's process before its tests: nothing a test starts (npm, the built CLI,
 * `generate --template npm:...`) may reach the network or the developer's caches. npm works
 * offline against an unreachable registry with a cache of its own, and packs go to a temp cache.
 * A test that serves a registry on 127.0.0.1 overrides these for itself (test/helpers/npm.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const home = mkdtempSync(join(tmpdir(), 'shipshape-test-caches-'));
Object.assign(process.env, {
  SHIPSHAPE_CACHE_DIR: join(home, 'packs'),
  npm_config_cache: join(home, 'npm-cache'),
  npm_config_offline: 'true',
  npm_config_registry: 'http://127.0.0.1:9/',
  npm_config_update_notifier: 'false',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
});
afterAll(() => rmSync(home, { recursive: true, force: true }));
