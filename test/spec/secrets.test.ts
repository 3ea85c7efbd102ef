/**
 * Secrets in a spec file's raw text (src/spec/secrets.ts): found in values, keys and comments,
 * whatever the parse or the schema says, placed at file:line:col, masked in every message that
 * quotes the spec, and refused by the stages that build on it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { loadSpecFile, loadSpecText, loadSpecTextFully, loadValidSpec } from '../../src/spec/load.js';
import { refuseSecrets, specSecrets } from '../../src/spec/secrets.js';
import { parseYamlText } from '../../src/spec/yaml-file.js';
import { SECRET_MARKERS } from '../../src/text/secrets.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';

const example = readFileSync(EXAMPLE, 'utf8');
// Fake secrets are assembled at run time, so that secret scanners do not flag this file.
const KEY = ['sk-', 'proj-', 'aB3dE5gH7jK9mN1pQ2rS4tU6vW8xY0zA1bC3'].join('');
const AWS = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');

function edit(from: string, to: string, text = example): string {
  if (!text.includes(from)) throw new Error(`the example has no ${from}`);
  return text.replace(from, to);
}

/** 1-based line and column of the first `needle` in `text`. */
function at(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

const secretsOf = (text: string) => specSecrets(parseYamlText('shipshape.yaml', text));

describe('secrets in the raw text of a spec', () => {
  it('finds none in the reference example', () => {
    expect(secretsOf(example)).toEqual([]);
  });

  it('finds one in a comment, at its line and column', () => {
    const text = edit('  peakRps: 40', `  peakRps: 40  # staging key ${AWS}`);
    expect(secretsOf(text)).toEqual([
      expect.objectContaining({ kind: 'AWS access key id', place: 'comment', range: expect.objectContaining(at(text, AWS)) }),
    ]);
    expect(secretsOf(text)[0]).not.toHaveProperty('path');
  });

  it('finds one in a comment on a line of its own, and in a comment of a file with nothing else', () => {
    expect(secretsOf(edit('slo:\n', `slo:\n  # old key: ${KEY}\n`))).toMatchObject([{ place: 'comment' }]);
    expect(secretsOf(`# ${KEY}\n`)).toMatchObject([{ place: 'comment', range: { line: 1, column: 3 } }]);
  });

  it('finds one used as a key, naming the mapping that holds it', () => {
    const text = edit('  team: support-platform', `  team: support-platform\n  ${KEY}: yes`);
    expect(secretsOf(text)).toMatchObject([{ place: 'key', path: ['metadata'], range: at(text, KEY) }]);
  });

  it('finds one in a value, with the path of the value and the column of the secret itself', () => {
    const text = edit('team: support-platform', `team: "platform ${KEY}"`);
    expect(secretsOf(text)).toMatchObject([{ place: 'value', path: ['metadata', 'team'], range: at(text, KEY) }]);
  });

  it('finds one in a file that does not parse, and in one that fails the schema', () => {
    const broken = edit('  team: support-platform', `  team: support-platform\n  team: ${KEY}`);
    expect(parseYamlText('shipshape.yaml', broken).diagnostics.length).toBeGreaterThan(0);
    expect(secretsOf(broken)).toMatchObject([{ kind: 'OpenAI API key', range: at(broken, KEY) }]);
    const unclosed = `apiVersion: shipshape/v1\nmetadata: { name: "x ${KEY}\n`;
    expect(secretsOf(unclosed)).toMatchObject([{ range: at(unclosed, KEY) }]);
    const invalid = edit('peakRps: 40', `peakRps: forty-${AWS}`);
    expect(loadSpecText('shipshape.yaml', invalid).spec).toBeUndefined();
    expect(secretsOf(invalid)).toMatchObject([{ place: 'value', path: ['business', 'expectedLoad', 'peakRps'] }]);
  });

  it('finds one that only escapes spell, at its value', () => {
    const escaped = KEY.replace('sk-', '\\x73k-');
    const text = edit('team: support-platform', `team: "${escaped}"`);
    expect(text).not.toContain(KEY);
    expect(secretsOf(text)).toMatchObject([{ kind: 'OpenAI API key', place: 'value', path: ['metadata', 'team'] }]);
  });

  it('masks a private key whole: its header, never its body', () => {
    const body = 'MIIEowIBAAKCAQEAx4f'.repeat(3);
    const text = edit(
      '  team: support-platform',
      `  team: |\n    -----BEGIN RSA PRIVATE KEY-----\n    ${body}\n    -----END RSA PRIVATE KEY-----`,
    );
    const [found] = secretsOf(text);
    expect(found).toMatchObject({ kind: 'private key', masked: '-----BEGIN RSA PRIVATE KEY-----…', place: 'value' });
    expect(found!.secret).toContain(body);
  });

  it('has a marker for every kind it knows, so the quick scan never skips one', () => {
    for (const secret of [KEY, AWS, 'https://u:hunter2-prod@db', `Bearer ${'x'.repeat(20)}`, '-----BEGIN PRIVATE KEY-----']) {
      expect(SECRET_MARKERS.test(secret), secret).toBe(true);
    }
  });
});

describe('messages that quote the spec', () => {
  it('mask a secret used as a key in a duplicate-key message', () => {
    const text = edit('  team: support-platform', `  ${KEY}: 1\n  ${KEY}: 2`);
    const loaded = loadSpecTextFully('shipshape.yaml', text);
    expect(loaded.diagnostics).toMatchObject([{ code: 'parse', message: expect.stringContaining('duplicate key "sk-proj-…1bC3"') }]);
    expect(JSON.stringify(loaded.diagnostics)).not.toContain(KEY);
  });

  it('mask a secret used as an unknown key: message, hint and path', () => {
    const text = edit('  team: support-platform', `  ${KEY}: 1`);
    const loaded = loadSpecText('shipshape.yaml', text);
    expect(loaded.diagnostics).toMatchObject([{ code: 'schema', unknownKey: true, path: ['metadata', 'sk-proj-…1bC3'] }]);
    expect(JSON.stringify(loaded.diagnostics)).not.toContain(KEY);
  });
});

describe('a stage that builds on the spec', () => {
  it('refuses a spec with a secret before anything else, in one line naming file:line:col and the ${VAR} to use', async () => {
    const text = edit('  peakRps: 40', `  peakRps: -1 # ${KEY}`);
    const file = join(tempDir(), 'shipshape.yaml');
    writeFileSync(file, text);
    const error = await loadValidSpec(file, 'shipshape.yaml', 'design').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    const { line, column } = at(text, KEY);
    expect((error as UserError).located).toBe(
      `shipshape.yaml:${line}:${column} a comment holds what looks like an OpenAI API key (sk-proj-…1bC3): move it into an environment reference like \${OPENAI_API_KEY}`,
    );
    expect((error as UserError).hint).toContain('`shipshape design` does not build on a spec that holds a secret');
    expect(JSON.stringify({ message: (error as UserError).located, hint: (error as UserError).hint })).not.toContain(KEY);
  });

  it('counts the other secrets in the same line', () => {
    const text = edit('  peakRps: 40', `  peakRps: 40 # ${KEY} ${AWS}`);
    expect(() => refuseSecrets(parseYamlText('shipshape.yaml', text), 'generate')).toThrow(
      /a comment holds what looks like an OpenAI API key \(sk-proj-…1bC3\), and 1 more secret: move each into/,
    );
  });

  it('builds on the reference example', async () => {
    expect((await loadValidSpec(EXAMPLE, 'shipshape.yaml', 'design')).spec.metadata.name).toBe('support-triage');
    expect((await loadSpecFile(EXAMPLE)).spec).toBeDefined();
  });
});
