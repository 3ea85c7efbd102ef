// What a bundled pack tells validate and the local deploy driver about running its service: build, start, the
// requests file and the variables; a pack from elsewhere tells nothing.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packCommands } from '../../src/scaffold/pack-commands.js';
import { tempDir } from '../helpers/temp.js';

describe('packCommands', () => {
  it("reads how the service is built, started and fed from the project's bundled pack, with the pack's variables", async () => {
    const root = tempDir();
    mkdirSync(join(root, '.shipshape'));
    const pack = { name: 'service-ts', version: '1.0.0', source: { kind: 'bundled', name: 'service-ts' } };
    writeFileSync(join(root, '.shipshape/manifest.json'), JSON.stringify({ pack }));
    expect(await packCommands(root)).toEqual({
      build: ['npm', 'run', 'build'],
      start: ['node', 'dist/main.js'],
      requests: 'dist/requests.json',
      // shipshape stops the service once nothing is routed to it: no client is left for SIGTERM's linger to tell.
      env: { SHUTDOWN_LINGER_MS: '0' },
    });
    // A pack from elsewhere runs nothing on its own say: --start names the command.
    writeFileSync(join(root, '.shipshape/manifest.json'), JSON.stringify({ pack: { ...pack, source: { kind: 'folder', path: root } } }));
    expect(await packCommands(root)).toEqual({});
  });
});
