// The request bodies validate sends: the pack's own for each tier when its build wrote them (template.yaml
// `requests`), else made from the labelled examples; a file the build should have written and did not, or wrote
// wrong, is an error at its place.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { packBodies } from '../../src/validate/run.js';
import { tempDir } from '../helpers/temp.js';

describe('packBodies', () => {
  it("reads each tier's bodies from the file the pack's build wrote", () => {
    const root = tempDir();
    mkdirSync(join(root, 'dist'));
    writeFileSync(
      join(root, 'dist/requests.json'),
      JSON.stringify({ reader: [{ text: 'How long is the link valid?' }], writer: [{ text: 'How long zxq' }, { text: 'Ok' }] }),
    );
    expect(packBodies(root, 'dist/requests.json')).toEqual({
      reader: ['{"text":"How long is the link valid?"}'],
      writer: ['{"text":"How long zxq"}', '{"text":"Ok"}'],
    });
  });

  it('gives none without a requests file, and none for a tier the file does not list or lists empty', () => {
    const root = tempDir();
    expect(packBodies(root, undefined)).toEqual({});
    // A classifier's build writes {}: its bodies come from its labelled examples.
    writeFileSync(join(root, 'requests.json'), '{"fast": [], "strong": []}');
    expect(packBodies(root, 'requests.json')).toEqual({});
  });

  it.each([
    ['missing', undefined, /^the pack's build wrote no dist\/requests\.json$/],
    ['cut short', '{"reader": [', /^dist\/requests\.json is not valid JSON: Unexpected end of JSON input$/],
    ['a missing comma', '{\n  "reader": [\n    {"text": "x"} {"text": "y"}', /^dist\/requests\.json:3:19 is not valid JSON: Expected ','/],
    // V8 quotes the text around an unexpected token, newlines and all: left out (Node 22 and later also give the place).
    ['an unexpected token', '{\n  "fast": }', /^dist\/requests\.json(:2:11)? is not valid JSON: Unexpected token '}'$/],
    ['a list', '[{"text": "x"}]', /^dist\/requests\.json must map each tier to a list of request bodies$/],
    ['a text for a tier', '{"fast": "x"}', /^dist\/requests\.json "fast" must be a list of request bodies \(JSON objects\)$/],
    ['a body that is not an object', '{"fast": [{"text": "x"}, null]}', /^dist\/requests\.json "fast" must be a list of request bodies/],
  ])('refuses a requests file the build did not write, or wrote wrong (%s), at its place, exit 2', (_what, text, expected) => {
    const root = tempDir();
    mkdirSync(join(root, 'dist'));
    if (text !== undefined) writeFileSync(join(root, 'dist/requests.json'), text);
    const error = (() => {
      try {
        packBodies(root, 'dist/requests.json');
      } catch (caught) {
        return caught as UserError;
      }
      throw new Error('packBodies accepted it');
    })();
    expect(error).toBeInstanceOf(UserError);
    expect(error.exitCode).toBe(2);
    expect(error.located).toMatch(expected);
  });
});
