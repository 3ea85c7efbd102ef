// The request bodies validate sends: the pack's own for each tier when its build wrote them (template.yaml
// `requests`), else made from the labelled examples.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packBodies } from '../../src/validate/run.js';
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
