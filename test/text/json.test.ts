// JSON that does not parse, as one clean line at its place: the pack's requests file (test/validate/bodies.test.ts),
// the generate manifest and the reviews record all go through jsonSyntaxProblem.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { readProjectManifest } from '../../src/scaffold/manifest.js';
import { readReviewsState } from '../../src/state/reviews.js';
import { jsonSyntaxProblem } from '../../src/text/json.js';
import { tempDir } from '../helpers/temp.js';

const problem = (text: string) => {
  try {
    JSON.parse(text);
  } catch (error) {
    return jsonSyntaxProblem(text, error as SyntaxError);
  }
  throw new Error('parsed');
};

describe('jsonSyntaxProblem', () => {
  it("places V8's offset (Node 20) or its line and column (Node 22 on), and drops the text it quotes", () => {
    expect(problem('{\n  "a": 1\n  "b": 2\n}')).toEqual({
      message: expect.stringMatching(/^Expected ',' or '}' after property value$/),
      position: { line: 3, column: 3 },
    });
    expect(problem('{"a": [')).toEqual({ message: 'Unexpected end of JSON input' });
    const token = problem('{\n  "secret-ish": }');
    expect(token.message).toBe("Unexpected token '}'");
    expect(token.message).not.toContain('secret-ish');
    // A long text is quoted cut, with ... on either side.
    expect(problem(`{"a": "${'x'.repeat(50)}", "b": }${' '.repeat(60)}`).message).toBe("Unexpected token '}'");
    const given = jsonSyntaxProblem('x', new SyntaxError('Bad thing in JSON at position 7 (line 3 column 2)'));
    expect(given).toEqual({ message: 'Bad thing', position: { line: 3, column: 2 } });
  });

  it('places a state file that is not JSON, in one line: the generate manifest and the reviews record', async () => {
    const root = tempDir();
    mkdirSync(join(root, '.shipshape'));
    writeFileSync(join(root, '.shipshape/manifest.json'), '{\n  "version": 1\n  "files": {}\n}');
    const manifest = await readProjectManifest(root).catch((error: unknown) => error as UserError);
    expect(manifest).toBeInstanceOf(UserError);
    expect((manifest as UserError).located).toMatch(/^\.shipshape\/manifest\.json:3:3 is not valid JSON: Expected ','/);
    writeFileSync(join(root, '.shipshape/reviews.json'), '{\n  "version": 1,\n  "reviews": [}\n}');
    const reviews = (() => {
      try {
        readReviewsState(root);
      } catch (error) {
        return error as UserError;
      }
      throw new Error('read');
    })();
    expect(reviews.located).toMatch(/^\.shipshape\/reviews\.json(:3:15)? is not valid JSON \(Unexpected token '}'\)$/);
  });
});
