/**
 * The quick look (js-yaml data, positions parsed only when asked) against the full load (yaml
 * Document with positions), on a generated corpus of valid and broken specs: wherever the quick
 * look reads a file, it reads the very text and data the full parse does, and `check` reports the
 * same findings (file, line, column, message and all) whichever way a file was loaded.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../src/check/check-file.js';
import { hasLongLine, quickData } from '../../src/spec/fast-load.js';
import { loadSpecFile, loadSpecTextFully } from '../../src/spec/load.js';
import { parseYamlText } from '../../src/spec/yaml-file.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';

const example = readFileSync(EXAMPLE, 'utf8');
const today = new Date('2026-11-24T12:00:00Z');

/** Replaces the first match of `from` in the example, failing loudly if it is not there. */
function edit(from: string | RegExp, to: string, text = example): string {
  const found = typeof from === 'string' ? text.includes(from) : from.test(text);
  if (!found) throw new Error(`the example has no ${String(from)}`);
  return text.replace(from, to);
}

const stageOne = example.slice(0, example.indexOf('\nmodels:') + 1);

/** Specs that must read and check the same both ways: valid ones, ones with findings, broken YAML. */
const CORPUS: Record<string, string> = {
  example,
  'stage one': stageOne,
  'stage one, CRLF': stageOne.replace(/\n/g, '\r\n'),
  'with a BOM': `\ufeff${example}`,
  'document start marker': `---\n${example}`,
  'comments everywhere': example.replace(/\n/g, ' # note\n').replace(/: # note/g, ': # note'),
  // Scalars the two parsers type by their own rules: yaml's core schema must win.
  'underscored number': edit('peakRps: 40', 'peakRps: 4_0'),
  'octal and hex': edit('dailyRequests: 200000', 'dailyRequests: 0o17'),
  hex: edit('dailyRequests: 200000', 'dailyRequests: 0x1F'),
  exponent: edit('monthlyUsd: 10000', 'monthlyUsd: 1e4'),
  infinity: edit('monthlyUsd: 10000', 'monthlyUsd: .inf'),
  'not a number': edit('monthlyUsd: 10000', 'monthlyUsd: .NaN'),
  'plus sign': edit('baseline: 240', 'baseline: +240'),
  'leading zero': edit('baseline: 240', 'baseline: 0240'),
  'yes is a string in 1.2': edit('team: support-platform', 'team: yes'),
  'on is a string in 1.2': edit('team: support-platform', 'team: on'),
  True: edit('team: support-platform', 'team: True'),
  'tilde null': edit('team: support-platform', 'team: ~'),
  'empty value': edit('team: support-platform', 'team:'),
  'a date stays a string': edit('team: support-platform', 'team: 2026-01-01'),
  'quoted number': edit('peakRps: 40', 'peakRps: "40"'),
  'single quoted': edit('team: support-platform', "team: 'support ''platform'''"),
  'double quoted escapes': edit('team: support-platform', 'team: "tab\\there \\u00e9 \\x41 \\N \\_ \\"q\\""'),
  'multi-line plain': edit(
    'problem: Tickets wait hours for manual routing, and slow first responses hurt CSAT.',
    'problem: Tickets wait hours\n    for manual routing,\n\n    and slow first responses hurt CSAT.',
  ),
  'multi-line double quoted': edit(
    'problem: Tickets wait hours for manual routing, and slow first responses hurt CSAT.',
    'problem: "Tickets wait hours \\\n    for manual routing,\n    and slow responses."',
  ),
  'literal block': edit(
    'problem: Tickets wait hours for manual routing, and slow first responses hurt CSAT.',
    'problem: |\n    Tickets wait hours.\n      Indented line.\n\n    Slow responses.\n',
  ),
  'folded block, stripped': edit(
    'problem: Tickets wait hours for manual routing, and slow first responses hurt CSAT.',
    'problem: >-\n    Tickets wait hours\n    for routing.\n\n\n    Slow responses.\n',
  ),
  'folded block, kept': edit(
    'problem: Tickets wait hours for manual routing, and slow first responses hurt CSAT.',
    'problem: >+\n    Tickets wait.\n\n',
  ),
  'flow map': edit(
    /budget:\n {4}costPerRequestUsd: 0.002\n {4}monthlyUsd: 10000/,
    'budget: { costPerRequestUsd: 0.002, monthlyUsd: 10000 }',
  ),
  'flow map over lines': edit(
    /budget:\n {4}costPerRequestUsd: 0.002\n {4}monthlyUsd: 10000/,
    'budget: {\n    costPerRequestUsd: 0.002,\n    monthlyUsd: 10000 }',
  ),
  'key with a colon inside': edit('team: support-platform', 'team: "a: b"'),
  'hash without a space': edit('team: support-platform', 'team: support#platform'),
  'unicode text': edit('team: support-platform', 'team: équipe-support ✓'),
  'long line': edit('team: support-platform', `team: ${'x'.repeat(2000)}`),
  'trailing spaces': example.replace(/\n/g, '   \n'),
  // Findings of the rules, and schema problems.
  'cost over budget': edit('costPerRequestUsd: 0.002', 'costPerRequestUsd: 0.0001'),
  'unknown key': edit('  tier: 1 ', '  tierr: 1 '),
  'misspelt section': edit('\nslo:', '\nsol:'),
  'wrong type': edit('peakRps: 40', 'peakRps: forty'),
  'missing field': edit(/\n {2}owner: .*/, ''),
  'placeholder owner': edit('owner: support-ai-lead@example.com', 'owner: TODO'),
  'a secret': edit('team: support-platform', 'team: sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD'),
  // Secrets are found in the raw text: in comments of valid specs (read the quick way), as keys,
  // beside schema problems and in files that do not parse.
  'a secret in a comment': edit('  peakRps: 40', '  peakRps: 40 # AKIAIOSFODNN7EXAMPLE'),
  'a secret in a comment line': edit('\nslo:\n', '\n# old key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD\nslo:\n'),
  'a secret as a key': edit('  team: support-platform', '  team: support-platform\n  sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD: 1'),
  'a secret and a bad number': edit('  peakRps: 40', '  peakRps: -40 # AKIAIOSFODNN7EXAMPLE'),
  'a secret as a duplicate key': edit(
    '  team: support-platform',
    '  team: support-platform\n  AKIAIOSFODNN7EXAMPLE: 1\n  AKIAIOSFODNN7EXAMPLE: 2',
  ),
  'a secret escaped': edit('team: support-platform', 'team: "\\x73k-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD"'),
  // YAML the full parse refuses or reads its own way.
  'tab indentation': edit('  team: support-platform', '\tteam: support-platform'),
  'tab in a value': edit('team: support-platform', 'team: support\tplatform'),
  'duplicate key': edit('  team: support-platform', '  team: support-platform\n  team: other'),
  'two documents': `${example}---\napiVersion: shipshape/v1\n`,
  'document end': `${example}...\n`,
  'anchor and alias': edit('monthlyUsd: 10000', 'monthlyUsd: &m 10000\n    again: *m'),
  'merge key': edit('  budget:\n', '  budget:\n    <<: { monthlyUsd: 1 }\n'),
  'a tag': edit('peakRps: 40', 'peakRps: !!str 40'),
  'a directive': `%YAML 1.2\n---\n${example}`,
  'complex key': edit('  team: support-platform', '  ? team\n  : support-platform'),
  'null key': edit('  team: support-platform', '  ~: support-platform'),
  'empty key': edit('  team: support-platform', '  : support-platform'),
  'bad indentation': edit('  team: support-platform', '   team: support-platform'),
  'unclosed quote': edit('team: support-platform', 'team: "support-platform'),
  'unclosed flow map': edit('team: support-platform', 'team: { a: 1'),
  'a list at the top': '- apiVersion: shipshape/v1\n',
  'a scalar at the top': 'just text\n',
  'empty file': '',
  'only comments': '# nothing here\n',
  'NUL byte': edit('team: support-platform', 'team: support\u0000platform'),
  'control character': edit('team: support-platform', 'team: support\u0007platform'),
  'lone CR': edit('team: support-platform', 'team: support\rplatform'),
};

describe('the quick look at a spec', () => {
  it('reads the example (the common case is the quick one)', () => {
    expect(quickData(Buffer.from(example))).toBeDefined();
    expect(quickData(Buffer.from(stageOne))).toBeDefined();
  });

  for (const [name, text] of Object.entries(CORPUS)) {
    it(`reads "${name}" as the full parse does, or leaves it to the full parse`, () => {
      const quick = quickData(Buffer.from(text));
      if (quick === undefined) return;
      const full = parseYamlText('shipshape.yaml', Buffer.from(text));
      expect(full.diagnostics).toEqual([]);
      expect(quick.data).toStrictEqual(full.data);
      expect(quick.text).toBe(full.text);
    });
  }

  it('leaves to the full parse what it must (broken YAML, aliases, tags, odd keys)', () => {
    for (const name of [
      'tab indentation',
      'duplicate key',
      'two documents',
      'anchor and alias',
      'a tag',
      'null key',
      'empty key',
      'NUL byte',
    ]) {
      expect(quickData(Buffer.from(CORPUS[name]!)), name).toBeUndefined();
    }
  });

  it('finds a line too long for an implicit key exactly where /[^\\n]{1024}/ does', () => {
    const x = (n: number) => 'x'.repeat(n);
    const texts = [
      '',
      x(1023),
      x(1024),
      `a\n${x(1023)}\nb`,
      `a\n${x(1024)}\nb`,
      `${x(1023)}\r\n`,
      `${x(1022)}\r\n`,
      `\n\n${x(1024)}`,
      `${x(600)}\n${x(600)}`,
      `${'é'.repeat(1024)}`,
      `${'😀'.repeat(512)}`,
      `${'😀'.repeat(511)}x`,
      example,
    ];
    for (const text of texts) expect(hasLongLine(text), JSON.stringify(text.slice(0, 20))).toBe(/[^\n]{1024}/.test(text));
  });
});

describe('check, quick or full', () => {
  it('reports the same findings, positions and messages both ways on the whole corpus', async () => {
    const dir = tempDir();
    let quickOnes = 0;
    let quickWithFindings = 0;
    for (const [i, [name, text]] of Object.entries(CORPUS).entries()) {
      const file = join(dir, `spec-${i}.shipshape.yaml`);
      writeFileSync(file, text);
      const display = `spec-${i}.shipshape.yaml`;
      const loaded = await loadSpecFile(file, display);
      const viaQuick = await checkFile(file, display, { today, loaded });
      const viaFull = await checkFile(file, display, { today, loaded: loadSpecTextFully(display, readFileSync(file)) });
      expect(viaQuick, name).toStrictEqual(viaFull);
      if (/secret/.test(name))
        expect(
          viaQuick.findings.map((finding) => finding.ruleId),
          name,
        ).toContain('no-secrets');
      if (quickData(Buffer.from(text)) !== undefined && loaded.spec) quickOnes++;
      if (quickData(Buffer.from(text)) !== undefined && loaded.spec && viaQuick.findings.length > 0) quickWithFindings++;
    }
    // The corpus exercises the quick look, with and without findings to place, and the full load.
    expect(quickOnes).toBeGreaterThan(10);
    expect(quickWithFindings).toBeGreaterThan(1);
    // A secret in a comment of a valid spec is read the quick way, and found all the same.
    expect(quickData(Buffer.from(CORPUS['a secret in a comment']!))).toBeDefined();
  });
});
