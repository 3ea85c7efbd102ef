import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BugError, UserError } from '../../src/errors.js';
import { applyEdits, editSpecFile, type SpecEdit } from '../../src/spec/edit.js';
import { unifiedDiff } from '../../src/text/diff.js';
import { EXAMPLE } from '../helpers/temp.js';

const example = readFileSync(EXAMPLE, 'utf8');

const commented = `# A small spec, commented everywhere.
apiVersion: shipshape/v1   # the format
kind: AIService

# who owns it
metadata:
  name: 'tiny'             # quoted on purpose
  owner: me@example.com
  tier: 3                  # experimental

business:   # why it exists
  # the problem, in one line
  problem: "Something slow."
  metric: { name: minutes, baseline: 10, target: 5, direction: decrease }

slo:
  availability: 99         # percent
  latency: { p95Ms: 100, p99Ms: 200 }   # aligned

resilience:
  # the deadline of one request
  timeoutMs: 500
  fallback:                # when every tier fails
    strategy: static
  # a note that ends the section
`;

/** The lines that differ, between the longest common prefix and suffix of lines. */
function changed(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return { removed: a.slice(head, a.length - tail), added: b.slice(head, b.length - tail) };
}

/** Every comment of `before` (from its `#`) is somewhere in `after`. */
function expectCommentsKept(before: string, after: string): void {
  const comments = before
    .split('\n')
    .filter((line) => /(^|\s)#/.test(line))
    .map((line) => line.slice(line.search(/(^|\s)#/)).trim());
  expect(comments.length).toBeGreaterThan(0);
  for (const comment of comments) expect(after).toContain(comment);
}

function valueAt(text: string, path: readonly (string | number)[]): unknown {
  let value: unknown = parse(text);
  for (const segment of path) value = (value as Record<string | number, unknown>)[segment];
  return value;
}

/** Applies one edit, checks it was applied, that it parses to the value, and that comments stayed. */
function edit(text: string, path: (string | number)[], value: unknown, options: { keepsComments?: boolean } = {}) {
  const result = applyEdits(text, [{ path, value }]);
  expect(result.applied).toHaveLength(1);
  expect(valueAt(result.text, path)).toEqual(value);
  if (options.keepsComments !== false) expectCommentsKept(text, result.text);
  return { text: result.text, ...changed(text, result.text) };
}

describe('applyEdits: setting a value that is there', () => {
  it('sets a number and keeps the aligned comment after it', () => {
    expect(edit(example, ['metadata', 'tier'], 2)).toMatchObject({
      removed: ['  tier: 1                      # 1 business critical, 2 important, 3 experimental'],
      added: ['  tier: 2                      # 1 business critical, 2 important, 3 experimental'],
    });
  });

  it('sets a string, a boolean and a string that needs quotes', () => {
    expect(edit(example, ['metadata', 'team'], 'triage')).toMatchObject({
      removed: ['  team: support-platform'],
      added: ['  team: triage'],
    });
    expect(edit(example, ['deploy', 'rollback', 'automatic'], false)).toMatchObject({
      removed: ['    automatic: true'],
      added: ['    automatic: false'],
    });
    expect(edit(example, ['metadata', 'owner'], 'ops: #1 team')).toMatchObject({
      removed: ['  owner: support-ai-lead@example.com'],
      added: ['  owner: "ops: #1 team"'],
    });
    expect(edit(example, ['slo', 'windowDays'], '30')).toMatchObject({ added: ['  windowDays: "30"'] });
  });

  it('keeps the quoting style the user chose', () => {
    expect(edit(commented, ['metadata', 'name'], 'small')).toMatchObject({
      removed: ["  name: 'tiny'             # quoted on purpose"],
      added: ["  name: 'small'            # quoted on purpose"],
    });
    expect(edit(commented, ['business', 'problem'], 'Too slow.')).toMatchObject({ added: ['  problem: "Too slow."'] });
  });

  it('sets a scalar inside a flow map, quoting what flow style needs quoted', () => {
    expect(edit(example, ['deploy', 'steps', 0, 'pauseSeconds'], 90)).toMatchObject({
      removed: ['    - { weight: 10, pauseSeconds: 60 }'],
      added: ['    - { weight: 10, pauseSeconds: 90 }'],
    });
    expect(edit(example, ['scenarios', 0, 'fault', 'target'], 'fast, strong')).toMatchObject({
      removed: ['    fault: { target: strong, type: error, status: 503, rate: 1.0 }'],
      added: ['    fault: { target: "fast, strong", type: error, status: 503, rate: 1.0 }'],
    });
    expect(edit(commented, ['slo', 'latency', 'p99Ms'], 250)).toMatchObject({
      added: ['  latency: { p95Ms: 100, p99Ms: 250 }   # aligned'],
    });
  });

  it('keeps an aligned end-of-line comment in its column when the value changes length', () => {
    expect(edit(commented, ['slo', 'latency', 'p99Ms'], 2500)).toMatchObject({
      added: ['  latency: { p95Ms: 100, p99Ms: 2500 }  # aligned'],
    });
    expect(edit(example, ['metadata', 'tier'], 'critical')).toMatchObject({
      added: ['  tier: critical               # 1 business critical, 2 important, 3 experimental'],
    });
    // One space before the comment is not an alignment: it stays one space.
    expect(edit('a: 1 # note\n', ['a'], 1000)).toMatchObject({ added: ['a: 1000 # note'] });
    // Longer than the gap: one space is left.
    expect(edit(commented, ['slo', 'availability'], 'ninety-nine point nine')).toMatchObject({
      added: ['  availability: ninety-nine point nine # percent'],
    });
  });

  it('replaces a scalar with a map, in block style below the key, the comment staying on the key line', () => {
    const { removed, added } = edit(example, ['metadata', 'tier'], { level: 1, reasons: ['revenue', 'customers'], note: 'a\nb' });
    expect(removed).toEqual(['  tier: 1                      # 1 business critical, 2 important, 3 experimental']);
    expect(added).toEqual([
      '  tier:                        # 1 business critical, 2 important, 3 experimental',
      '    level: 1',
      '    reasons: [revenue, customers]',
      '    note: |-',
      '      a',
      '      b',
    ]);
  });

  it('keeps the style of what it replaces: a flow map stays flow, a block map stays block', () => {
    expect(edit(example, ['scenarios', 1, 'load'], { rps: 5, durationSeconds: 5 })).toMatchObject({
      added: ['    load: { rps: 5, durationSeconds: 5 }'],
    });
    // The comment on `direction` belonged to an entry that is gone; it goes with it.
    const metric = { name: 'minutes', baseline: 10, target: 5 };
    expect(edit(example, ['business', 'metric'], metric, { keepsComments: false })).toMatchObject({
      removed: [
        '    name: median_first_response_minutes',
        '    description: Median minutes from ticket creation to the first agent response.',
        '    baseline: 240',
        '    target: 60',
        '    direction: decrease        # increase | decrease',
      ],
      added: ['    name: minutes', '    baseline: 10', '    target: 5'],
    });
  });

  it('replaces a block map with a bigger one in place, and a list item with a block map', () => {
    const resilience = edit(commented, ['resilience', 'fallback'], {
      strategy: 'cache',
      static: { queue: 'general', reply: 'Thanks' },
      ttlSeconds: 60,
    });
    expect(resilience).toMatchObject({
      removed: ['    strategy: static'],
      added: ['    strategy: cache', '    static: { queue: general, reply: Thanks }', '    ttlSeconds: 60'],
    });
    const value = { name: 'weird', max: 1, min: 0, metric: 'x', extra: 'y' };
    expect(edit(example, ['deploy', 'analysis', 'metrics', 1], value)).toMatchObject({
      removed: ['      - { name: p95-latency-ms, max: 1200 }'],
      added: ['      - { name: weird, max: 1, min: 0, metric: x, extra: y }'],
    });
    expect(edit(example, ['failureModes', 1], { id: 'llm-slow', kind: 'latency-spike' })).toMatchObject({
      removed: ['    description: LLM latency climbs past 5 s during provider incidents.', '    likelihood: high', '    impact: medium'],
      added: [],
    });
  });

  it('collapses a block map to a scalar on the key line, or below it when a comment sits after the key', () => {
    expect(edit(example, ['slo', 'latency'], 'fast')).toMatchObject({
      removed: ['  latency:', '    p95Ms: 1200', '    p99Ms: 2500'],
      added: ['  latency: fast'],
    });
    const after = edit(example, ['business'], 'later', { keepsComments: false });
    expect(after.text).toContain(
      'business:                      # stage 1: why this exists and how we will know it works\n  later\n\nslo:',
    );
  });
});

describe('applyEdits: adding what is missing', () => {
  it('adds a key at the end of a section in the middle of the file, after an end-of-line comment', () => {
    const { text, removed, added } = edit(example, ['metadata', 'labels'], { area: 'support' });
    expect(removed).toEqual([]);
    expect(added).toEqual(['  labels: { area: support }']);
    expect(text).toContain(
      '  tier: 1                      # 1 business critical, 2 important, 3 experimental\n  labels: { area: support }\n\nbusiness:',
    );
  });

  it('adds a key to a nested map whose last value has an end-of-line comment', () => {
    const { text, added } = edit(example, ['deploy', 'kubernetes', 'port'], 8080);
    expect(added).toEqual(['    port: 8080']);
    expect(text).toContain('service-switch: plain Deployments and a Service selector\n    port: 8080\n\nmonitoring:');
  });

  it('adds a key to the last section of the file', () => {
    const { text, added } = edit(example, ['review', 'cadenceDays'], 30);
    expect(added).toEqual(['  cadenceDays: 30']);
    expect(text).toBe(`${example}  cadenceDays: 30\n`);
  });

  it('adds a key to a section that ends with a comment line, before the comment', () => {
    expect(edit(commented, ['resilience', 'bulkhead'], { maxConcurrent: 8 })).toMatchObject({
      removed: [],
      added: ['  bulkhead: { maxConcurrent: 8 }'],
    });
  });

  it('creates the missing maps on the way: resilience.retry when resilience has no retry', () => {
    const retry = { maxAttempts: 2, backoff: 'exponential', initialDelayMs: 100, maxDelayMs: 400 };
    const { text, added } = edit(commented, ['resilience', 'retry', 'maxAttempts'], 3);
    expect(added).toEqual(['  retry: { maxAttempts: 3 }']);
    expect(valueAt(text, ['resilience', 'timeoutMs'])).toBe(500);
    // Too long for one line: block style.
    expect(edit(commented, ['resilience', 'retry'], retry).added).toEqual([
      '  retry:',
      '    maxAttempts: 2',
      '    backoff: exponential',
      '    initialDelayMs: 100',
      '    maxDelayMs: 400',
    ]);
  });

  it('appends a whole missing section at the end, after a blank line, sections in block style', () => {
    const { text, added } = edit(commented, ['handoff'], { oncall: 'me', escalation: ['a@example.com'] });
    expect(added).toEqual(['handoff:', '  oncall: me', '  escalation: [a@example.com]', '']);
    expect(text.startsWith(commented)).toBe(true);
    expect(text.endsWith('# a note that ends the section\n\nhandoff:\n  oncall: me\n  escalation: [a@example.com]\n')).toBe(true);

    const deep = edit(example, ['monitoring', 'logs', 'retentionDays'], 7);
    expect(deep.added).toEqual(['  logs: { retentionDays: 7 }']);
    const list = edit(commented, ['scenarios', 0, 'id'], 'first');
    expect(list.text.endsWith('\nscenarios:\n  - { id: first }\n')).toBe(true);
  });

  it('appends an item to a block list of flow maps as a flow map', () => {
    const pattern = { pattern: 'bulkhead', addresses: ['llm-slow', 'llm-outage'] };
    const { text, removed, added } = edit(example, ['architecture', 'patterns', 8], pattern);
    expect(removed).toEqual([]);
    expect(added).toEqual(['    - { pattern: bulkhead, addresses: [llm-slow, llm-outage] }']);
    expect(text).toContain('    - { pattern: drift-monitoring, addresses: [ticket-mix-shift] }\n    - { pattern: bulkhead');
  });

  it('appends an item to a list of block maps as a block map, and to a flow list inside it', () => {
    const mode = { id: 'cost', kind: 'cost-overrun', description: 'Spend doubles.', likelihood: 'low', impact: 'high' };
    const { text, added } = edit(example, ['failureModes', 5], mode);
    expect(added).toEqual([
      '  - id: cost',
      '    kind: cost-overrun',
      '    description: Spend doubles.',
      '    likelihood: low',
      '    impact: high',
    ]);
    expect(text).toContain('    impact: medium\n  - id: cost\n');
    expect(edit(example, ['monitoring', 'drift', 'features', 2], 'region')).toMatchObject({
      added: ['    features: [ticket_chars, language, region]'],
    });
  });

  it('fills an empty `key:` and treats it as absent', () => {
    const text = 'apiVersion: shipshape/v1\nmetadata:\n  owner:     # who\n  labels:\nresilience:   # to do\nreview:\n';
    const result = applyEdits(text, [
      { path: ['metadata', 'owner'], value: 'me', onlyIfAbsent: true },
      { path: ['metadata', 'labels', 'area'], value: 'support', onlyIfAbsent: true },
      { path: ['resilience', 'timeoutMs'], value: 900, onlyIfAbsent: true },
      { path: ['review'], value: { afterDays: 30 }, onlyIfAbsent: true },
    ]);
    expect(result.applied).toHaveLength(4);
    expect(result.text).toBe(
      [
        'apiVersion: shipshape/v1',
        'metadata:',
        '  owner: me  # who',
        '  labels: { area: support }',
        'resilience:   # to do',
        '  timeoutMs: 900',
        'review:',
        '  afterDays: 30',
        '',
      ].join('\n'),
    );
  });
});

describe('applyEdits: line endings and the end of the file', () => {
  it('keeps CRLF line endings, new lines included', () => {
    const crlf = example.replace(/\n/g, '\r\n');
    const result = applyEdits(crlf, [
      { path: ['metadata', 'tier'], value: 2 },
      { path: ['metadata', 'tier'], value: { level: 2, reasons: ['a'] } },
      { path: ['architecture', 'patterns', 8], value: { pattern: 'bulkhead', addresses: ['llm-slow'] } },
      { path: ['resilience', 'hedging'], value: { delayMs: 200 } },
      { path: ['extra'], value: { a: 1, b: 'x\ny' } },
    ]);
    expect(result.applied).toHaveLength(5);
    expect(result.text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(result.text).toContain(
      '  tier:                        # 1 business critical, 2 important, 3 experimental\r\n    level: 2\r\n    reasons: [a]\r\n',
    );
    expect(
      result.text.endsWith(
        'review:                        # stage 8\r\n  afterDays: 30\r\n  owner: support-ai-lead@example.com\r\n\r\nextra:\r\n  a: 1\r\n  b: |-\r\n    x\r\n    y\r\n',
      ),
    ).toBe(true);
    expect(valueAt(result.text, ['resilience', 'hedging', 'delayMs'])).toBe(200);
    expectCommentsKept(crlf, result.text);
  });

  it('keeps a file without a trailing newline without one', () => {
    const bare = commented.trimEnd();
    const section = edit(bare, ['review'], { afterDays: 30 });
    expect(section.text).toBe(`${bare}\n\nreview:\n  afterDays: 30`);
    const key = edit('kind: AIService\nreview:\n  afterDays: 30', ['review', 'owner'], 'me', { keepsComments: false });
    expect(key.text).toBe('kind: AIService\nreview:\n  afterDays: 30\n  owner: me');
  });

  it('keeps a byte-order mark', () => {
    const result = applyEdits(`\uFEFF${commented}`, [{ path: ['metadata', 'tier'], value: 2 }]);
    expect(result.text.startsWith('\uFEFF# A small spec')).toBe(true);
  });
});

describe('applyEdits: what it leaves alone', () => {
  it('skips an onlyIfAbsent edit where the user set a value, an explicit null included', () => {
    const edits: SpecEdit[] = [
      { path: ['metadata', 'tier'], value: 3, onlyIfAbsent: true },
      { path: ['resilience', 'fallback', 'static', 'reply'], value: 'Thanks', onlyIfAbsent: true },
      { path: ['resilience', 'retry'], value: { maxAttempts: 9 }, onlyIfAbsent: true },
      { path: ['metadata', 'tier', 'level'], value: 1, onlyIfAbsent: true },
    ];
    const result = applyEdits(example, edits);
    expect(result.text).toBe(example);
    expect(result.applied).toEqual([]);
    expect(result.skipped).toEqual(edits);
  });

  it('skips an edit that sets the value already there, and applies the others in order', () => {
    const same: SpecEdit = { path: ['slo', 'latency'], value: { p95Ms: 1200, p99Ms: 2500 } };
    const set: SpecEdit = { path: ['slo', 'windowDays'], value: 28 };
    const again: SpecEdit = { path: ['slo', 'windowDays'], value: 7 };
    const result = applyEdits(example, [same, set, again]);
    expect(result.skipped).toEqual([same]);
    expect(result.applied).toEqual([set, again]);
    expect(changed(example, result.text)).toEqual({ removed: ['  windowDays: 30'], added: ['  windowDays: 7'] });
  });

  it('refuses an edit through a value that is not a map, and a hole in a list', () => {
    expect(() => applyEdits(example, [{ path: ['metadata', 'tier', 'level'], value: 1 }])).toThrow(BugError);
    expect(() => applyEdits(example, [{ path: ['architecture', 'patterns', 10], value: { pattern: 'timeout' } }])).toThrow(
      /patterns\[10\]/,
    );
    expect(() => applyEdits(example, [{ path: [], value: {} }])).toThrow(BugError);
    expect(() => applyEdits(example, [{ path: ['metadata', 'x'], value: undefined }])).toThrow(BugError);
  });

  it('refuses text that does not parse, with its line and column', () => {
    const error = (() => {
      try {
        applyEdits('kind: AIService\nmetadata: [\n', [{ path: ['kind'], value: 'x' }]);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).position?.line).toBeGreaterThan(1);
  });

  it('refuses to edit through an alias', () => {
    const text = 'base: &b\n  a: 1\nother: *b\n';
    expect(() => applyEdits(text, [{ path: ['other', 'a'], value: 2 }])).toThrow(UserError);
  });

  it('throws a BugError when the spliced text does not hold the expected document', () => {
    // Changing an anchored value changes its alias too: the check after the edit catches it.
    const text = 'base: &b\n  a: 1\nother: *b\n';
    expect(() => applyEdits(text, [{ path: ['base', 'a'], value: 2 }])).toThrow(/did not give the expected document/);
  });
});

describe('editSpecFile', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const setup = (content: string | Buffer): string => {
    dir = mkdtempSync(join(tmpdir(), 'shipshape-'));
    const file = join(dir, 'shipshape.yaml');
    writeFileSync(file, content);
    return file;
  };

  it('does not rewrite a file when nothing changes', async () => {
    const file = setup(example);
    const past = new Date('2020-01-01T00:00:00Z');
    utimesSync(file, past, past);
    const result = await editSpecFile(file, [{ path: ['metadata', 'tier'], value: 2, onlyIfAbsent: true }]);
    expect(result).toMatchObject({ changed: false, applied: [] });
    expect(statSync(file).mtime.getTime()).toBe(past.getTime());
  });

  it('writes the edited text atomically, leaving no temp file behind', async () => {
    const file = setup(example);
    const result = await editSpecFile(file, [{ path: ['review', 'cadenceDays'], value: 30 }]);
    expect(result.changed).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(`${example}  cadenceDays: 30\n`);
    expect(readdirSync(dir)).toEqual(['shipshape.yaml']);
  });

  it('refuses a file that does not parse, naming file:line:col, and leaves it alone', async () => {
    const bad = 'kind: AIService\nmetadata:\n  name: x\n  name: y\n';
    const file = setup(bad);
    const error = await editSpecFile(file, [{ path: ['kind'], value: 'x' }]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).located).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:3 duplicate key "name"`));
    expect(readFileSync(file, 'utf8')).toBe(bad);
  });

  it('refuses a binary file', async () => {
    const file = setup(Buffer.from([0x6b, 0x3a, 0x00, 0x01]));
    await expect(editSpecFile(file, [{ path: ['k'], value: 1 }])).rejects.toThrow(/binary/);
  });
});

describe('unifiedDiff', () => {
  it('shows a small change with three lines of context', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\n';
    const after = 'a\nb\nc\nd\nE\nf\ng\nh\n';
    expect(unifiedDiff(before, after, 'shipshape.yaml')).toBe(
      ['--- a/shipshape.yaml', '+++ b/shipshape.yaml', '@@ -2,7 +2,7 @@', ' b', ' c', ' d', '-e', '+E', ' f', ' g', ' h', ''].join('\n'),
    );
  });

  it('is empty when nothing changed', () => {
    expect(unifiedDiff(example, example, 'x')).toBe('');
  });

  it('splits far-apart changes into hunks and joins near ones', () => {
    const lines = Array.from({ length: 20 }, (_, k) => `line ${k + 1}`);
    const before = `${lines.join('\n')}\n`;
    const after = `${lines.map((line, k) => (k === 1 || k === 17 ? `${line}!` : line)).join('\n')}\n`;
    const diff = unifiedDiff(before, after, 'f');
    expect(diff.match(/^@@.*@@$/gm)).toEqual(['@@ -1,5 +1,5 @@', '@@ -15,6 +15,6 @@']);
    const near = `${lines.map((line, k) => (k === 1 || k === 7 ? `${line}!` : line)).join('\n')}\n`;
    expect(unifiedDiff(before, near, 'f').match(/^@@.*@@$/gm)).toEqual(['@@ -1,11 +1,11 @@']);
  });

  it('marks a missing final newline and diffs a new file against nothing', () => {
    expect(unifiedDiff('a\nb', 'a\nb\nc', 'f')).toBe(
      [
        '--- a/f',
        '+++ b/f',
        '@@ -1,2 +1,3 @@',
        ' a',
        '-b',
        '\\ No newline at end of file',
        '+b',
        '+c',
        '\\ No newline at end of file',
        '',
      ].join('\n'),
    );
    expect(unifiedDiff('', 'x\ny\n', 'new.md')).toBe(['--- a/new.md', '+++ b/new.md', '@@ -0,0 +1,2 @@', '+x', '+y', ''].join('\n'));
  });

  it('diffs an applied edit to exactly the changed line', () => {
    const { text } = applyEdits(example, [{ path: ['slo', 'windowDays'], value: 28 }]);
    expect(unifiedDiff(example, text, 'shipshape.yaml')).toBe(
      [
        '--- a/shipshape.yaml',
        '+++ b/shipshape.yaml',
        '@@ -36,7 +36,7 @@',
        ' ',
        ' slo:',
        '   availability: 99.9           # percent of requests answered without error over windowDays',
        '-  windowDays: 30',
        '+  windowDays: 28',
        '   latency:',
        '     p95Ms: 1200',
        '     p99Ms: 2500',
        '',
      ].join('\n'),
    );
  });
});
