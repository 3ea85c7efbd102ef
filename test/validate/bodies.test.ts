// The request bodies validate sends: the pack's own for each tier when its build wrote them (template.yaml
// `requests`), else made from the labelled examples; and what else the pack tells validate (build, start, env).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packBodies, packCommands } from '../../src/validate/run.js';
import { tempDir } from '../helpers/temp.js';

describe('packBodies', () => {
  it("reads each tier's bodies from the file the pack's build wrote", () => {
    const root = tempDir();
    mkdirSync(join(root, 'dist'));
    writeFileSync(
      join(root, 'dist/requests.json'),
      JSON.stringify({ reader: [{ text: 'How long is the link valid?' }], writer: [{ text: 'How long zxq' }, 'not a body', null] }),
    );
    expect(packBodies(root, 'dist/requests.json')).toEqual({
      reader: ['{"text":"How long is the link valid?"}'],
      writer: ['{"text":"How long zxq"}'],
    });
  });

  it('gives none without a requests file, or for one that is missing, not JSON, or not an object of lists', () => {
    const root = tempDir();
    expect(packBodies(root, undefined)).toEqual({});
    expect(packBodies(root, 'dist/requests.json')).toEqual({});
    writeFileSync(join(root, 'requests.json'), '{"reader": [');
    expect(packBodies(root, 'requests.json')).toEqual({});
    writeFileSync(join(root, 'requests.json'), '[{"text": "x"}]');
    expect(packBodies(root, 'requests.json')).toEqual({});
    // A classifier's build writes {}: its bodies come from its labelled examples.
    writeFileSync(join(root, 'requests.json'), '{"fast": "x", "strong": []}');
    expect(packBodies(root, 'requests.json')).toEqual({});
  });
});

describe('packCommands', () => {
  it("reads how validate builds, starts and feeds the service from the project's bundled pack, with the pack's variables", async () => {
    const root = tempDir();
    mkdirSync(join(root, '.shipshape'));
    const pack = { name: 'service-ts', version: '1.0.0', source: { kind: 'bundled', name: 'service-ts' } };
    writeFileSync(join(root, '.shipshape/manifest.json'), JSON.stringify({ pack }));
    expect(await packCommands(root)).toEqual({
      build: ['npm', 'run', 'build'],
      start: ['node', 'dist/main.js'],
      requests: 'dist/requests.json',
      // The load is over when validate stops the service: no client is left for SIGTERM's linger to tell.
      env: { SHUTDOWN_LINGER_MS: '0' },
    });
    // A pack from elsewhere runs nothing on its own say: --start names the command.
    writeFileSync(join(root, '.shipshape/manifest.json'), JSON.stringify({ pack: { ...pack, source: { kind: 'folder', path: root } } }));
    expect(await packCommands(root)).toEqual({});
  });
});
