import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpecFile, loadSpecText } from '../../src/spec/load.js';
import { MAX_FILE_BYTES } from '../../src/spec/yaml-file.js';
import { EXAMPLE, ROOT, tempDir } from '../helpers/temp.js';

const example = readFileSync(EXAMPLE, 'utf8');
const at = (text: string | Uint8Array) => loadSpecText('shipshape.yaml', text).diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);

describe('loading a spec', () => {
  it('accepts the reference example as it stands', async () => {
    const loaded = await loadSpecFile(EXAMPLE);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.spec?.metadata.name).toBe('support-triage');
    expect(loaded.spec?.models?.tiers.map((t) => t.name)).toEqual(['fast', 'strong']);
  });

  it('bundles the shared example with additions only: every line of it, in order, nothing changed', () => {
    const shared = join(ROOT, '..', 'shared', 'examples', 'support-triage.yaml');
    let original: string;
    try {
      original = readFileSync(shared, 'utf8');
    } catch {
      return; // an installed package has no shared/ beside it; the repository always does
    }
    // The contract is that fields are added, never renamed or repurposed (the bundled one adds the overload soak).
    const bundled = example.split('\n');
    let at = 0;
    for (const line of original.split('\n')) {
      const found = bundled.indexOf(line, at);
      expect(
        found,
        `the shared example's line ${JSON.stringify(line)} is missing or moved in examples/support-triage.yaml`,
      ).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
  });

  it('needs only the stage-1 sections', () => {
    const minimal = `apiVersion: shipshape/v1
kind: AIService
metadata: { name: tiny, owner: me@example.com, tier: 3 }
business:
  problem: Something slow.
  metric: { name: minutes, baseline: 10, target: 5, direction: decrease }
slo:
  availability: 99
  latency: { p95Ms: 100, p99Ms: 200 }
`;
    expect(at(minimal)).toEqual([]);
  });

  it('reports a bad value at its line and column with the field path', () => {
    const text = example.replace('p95Ms: 1200\n    p99Ms', 'p95Ms: -3\n    p99Ms');
    expect(at(text)).toEqual(['41:12 slo.latency.p95Ms must be a positive number']);
  });

  it('reports a missing required field at its parent', () => {
    const text = example.replace('  owner: support-ai-lead@example.com\n  team', '  team');
    expect(at(text)).toEqual(['6:1 metadata.owner is required']);
  });

  it('reports an unknown key with a did-you-mean', () => {
    const text = example.replace('\nresilience:', '\nreslience:');
    const [diagnostic] = loadSpecText('shipshape.yaml', text).diagnostics;
    expect(`${diagnostic!.line}:${diagnostic!.column} ${diagnostic!.message}`).toBe(
      '102:1 unknown key "reslience"; did you mean "resilience"?',
    );
    expect(diagnostic!.hint).toBe('Rename "reslience" to "resilience".');
  });

  it('suggests nested keys from the schema at that place', () => {
    const text = example.replace('    maxAttempts: 2', '    maxAtempts: 2');
    expect(at(text)).toContain('105:5 unknown key "maxAtempts" in resilience.retry; did you mean "maxAttempts"?');
  });

  it('reports a wrong enum value with the allowed values', () => {
    const text = example.replace('direction: decrease', 'direction: down');
    expect(at(text)).toEqual(['20:16 business.metric.direction must be one of increase, decrease']);
  });

  it('refuses a literal endpoint: endpoints are environment references', () => {
    const text = example.replace('${TRIAGE_LLM_URL}', 'https://llm.internal/v1');
    expect(at(text)[0]).toMatch(/^53:17 models\.tiers\[1\]\.endpoint must be an environment reference/);
  });

  it('reports duplicate keys', () => {
    expect(at('apiVersion: shipshape/v1\nkind: AIService\nkind: AIService\n')).toEqual([
      '3:1 duplicate key "kind": a key may appear once in a mapping',
    ]);
  });

  it('reports several documents', () => {
    // The second document starts on the line after the example's last.
    const line = example.split('\n').length;
    expect(at(`${example}---\n${example}`)).toEqual([`${line}:1 holds 2 YAML documents; a spec is exactly one`]);
  });

  it('fails fast and cleanly on a billion-laughs file', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const started = performance.now();
    const diagnostics = at(levels.join('\n') + '\n');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(diagnostics).toEqual(['2:8 expands too many aliases (more than 64); refusing what looks like a billion-laughs file']);
  });

  it('allows a few aliases', () => {
    const text = example
      .replace('  owner: support-ai-lead@example.com\n', '  owner: &owner support-ai-lead@example.com\n')
      .replace('review:\n  afterDays: 30\n  owner: support-ai-lead@example.com', 'review:\n  afterDays: 30\n  owner: *owner');
    expect(at(text)).toEqual([]);
  });

  it('refuses files over 1 MiB before reading them', async () => {
    const dir = tempDir();
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `# ${'x'.repeat(MAX_FILE_BYTES)}\n`);
    const loaded = await loadSpecFile(big);
    expect(loaded.unreadable).toBe(true);
    expect(loaded.diagnostics.map((d) => d.message)).toEqual(['is 1.0 MiB; a spec may be at most 1 MiB']);
  });

  it('refuses binary input', () => {
    expect(at(new Uint8Array([0x61, 0x3a, 0x0a, 0x20, 0x00, 0x0a]))).toEqual(['2:2 is a binary file, not YAML (it holds a NUL byte)']);
  });

  it('refuses input that is not UTF-8, pointing at the bad byte', () => {
    const bytes = Buffer.concat([Buffer.from('apiVersion: shipshape/v1\nkind: '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
    expect(at(bytes)).toEqual(['2:7 is not valid UTF-8 (byte 0xc3)']);
  });

  it('accepts a UTF-8 byte order mark', () => {
    expect(at(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(example)]))).toEqual([]);
  });

  it('reports YAML syntax errors at their place', () => {
    expect(at('apiVersion: shipshape/v1\nkind: [AIService\nmetadata: {}\n')[0]).toMatch(
      /^3:1 YAML syntax error: Flow sequence .* must .* end with a ]/,
    );
  });

  it('reports an empty file and a file that is not a mapping', () => {
    expect(at('# nothing here\n')).toEqual(['1:1 is empty']);
    expect(at('- a\n- b\n')).toEqual(['1:1 must be a YAML mapping of keys to values']);
  });

  it('marks parse problems unreadable and schema problems not', () => {
    expect(loadSpecText('x', 'a: [').unreadable).toBe(true);
    expect(loadSpecText('x', 'a: 1\n').unreadable).toBe(false);
  });
});

describe('a spec whose only problems are unknown keys', () => {
  it('is not valid, but offers the spec without them so the rules can still run', () => {
    const text = example.replace('\nresilience:', '\nreslience:');
    const loaded = loadSpecText('shipshape.yaml', text);
    expect(loaded.spec).toBeUndefined();
    expect(loaded.withoutUnknownKeys?.resilience).toBeUndefined();
    expect(loaded.withoutUnknownKeys?.slo.availability).toBe(99.9);
    const wrongType = loadSpecText('shipshape.yaml', text.replace('availability: 99.9 ', 'availability: high '));
    expect(wrongType.withoutUnknownKeys).toBeUndefined();
  });
});

describe('large and malformed mappings', () => {
  const lines = (n: number, indent: string, prefix: string) =>
    Array.from({ length: n }, (_, i) => `${indent}${prefix}${i}: ${i}`).join('\n');

  it('places every one of 20,000 unknown keys, and finds a repeated key among them', () => {
    const text = example.replace('metadata:\n', `metadata:\n${lines(20_000, '  ', 'x')}\n  x7: again\n`);
    const found = at(text);
    const metadataLine = text.split('\n').indexOf('metadata:') + 1;
    // yaml's own duplicate check compared each key with every key before it; the set per mapping finds the same.
    expect(found).toEqual([`${metadataLine + 20_001}:3 duplicate key "x7": a key may appear once in a mapping`]);
    const unknown = at(text.replace('  x7: again\n', ''));
    expect(unknown).toHaveLength(20_000);
    expect(unknown[19_999]).toBe(`${metadataLine + 20_000}:3 unknown key "x19999" in metadata`);
  });

  it('reports a run of thousands of lines indented under a scalar as bad input, not as a crash', () => {
    const text = example.replace('      reply: null\n', `      reply: null\n${lines(5_000, '        ', 'k')}\n`);
    expect(at(text)).toEqual(['1:1 is more than the YAML reader can take apart (it ran out of stack on it)']);
  });
});
