import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadExamples, parseExamples, type Example } from '../src/serving/examples.js';
import { createLocalTier } from '../src/serving/local.js';
import { TierError } from '../src/serving/tier.js';

// The classifier is tested on a copy of the seeded examples that the pack keeps up to date, so these tests hold
// when you replace data/examples.jsonl with your own; the last test checks that yours load.
const examplesFile = fileURLToPath(new URL('./fixtures/examples.jsonl', import.meta.url));
const examples = parseExamples(readFileSync(examplesFile, 'utf8'), examplesFile);
const tier = createLocalTier({ name: 'fast', model: 'tfidf-knn', costPerRequestUsd: 0, examples });
const signal = new AbortController().signal;

// Paraphrases of test/fixtures/examples.jsonl, none of them a line of it.
const clear: [label: string, text: string][] = [
  ['billing', 'I have been charged twice this month, please refund the duplicate charge'],
  ['billing', 'How do I update the credit card used for my subscription payment?'],
  ['technical', 'The mobile app crashes as soon as I open it after the update'],
  ['technical', 'The Android app freezes on a white screen after login'],
  ['technical', 'I get an error message when I try to upload a file'],
  ['account', 'I cannot reset my password, the reset email does not arrive'],
  ['account', 'My account is locked, I tried to log in too many times'],
  ['account', 'I need to change the email address linked to my account'],
  ['shipping', 'My package still has not arrived and tracking has not updated'],
  ['shipping', 'The tracking says my order was delivered but I never received it'],
  ['shipping', 'The parcel arrived damaged, the box was crushed'],
  ['general', 'What are your opening hours on weekends?'],
  ['general', 'Where can I read your privacy policy?'],
];

// Right label, but worded further from any example: the tier may be unsure of them, and the cascade escalates.
const harder: [label: string, text: string][] = [
  ['billing', 'My payment was declined although my card is valid'],
  ['billing', 'Please send me a copy of the invoice for my last payment'],
  ['technical', 'The website is very slow and pages keep timing out'],
  ['shipping', 'Can you ship my order to a different address?'],
  ['general', 'Do you offer a discount for students?'],
  ['general', 'Are there any job openings at your company?'],
];

// The last two share a word or two with a single example, so only the low similarity keeps their confidence down.
const offTopic = [
  'The weather in Lisbon is lovely today, we went swimming at the beach',
  'What is the capital of Australia and how tall is the tallest mountain there?',
  'I would like to know what you think about the football match last night',
  'Recipe: mix the flour, eggs and sugar, then bake for forty minutes',
  'I am writing a novel about a detective in Canada',
  'Tell me a story about a dragon who lost his password',
];

const gibberish = ['asdkjh qwpoeiru zmxncb lkjqwe poiuyt', 'xq zzv blorft wemmp kriv', '!!! ??? ... ###'];

describe('the seeded examples', () => {
  it('hold about a dozen tickets for each label the reference spec routes to, general included', () => {
    expect(tier.labels).toEqual(['account', 'billing', 'general', 'shipping', 'technical']);
    for (const label of tier.labels) {
      expect(examples.filter((example) => example.label === label).length).toBeGreaterThanOrEqual(10);
    }
  });

  it('are not the tickets the classifier is tested on', () => {
    const seeded = new Set(examples.map((example) => example.text.toLowerCase()));
    for (const [, text] of [...clear, ...harder]) expect(seeded.has(text.toLowerCase())).toBe(false);
  });
});

describe('the local tier', () => {
  it('describes itself', () => {
    expect(tier).toMatchObject({ name: 'fast', kind: 'local', model: 'tfidf-knn', costPerRequestUsd: 0 });
  });

  it.each(clear)('classifies a clear %s ticket confidently: %s', async (label, text) => {
    const prediction = await tier.predict(text, signal);
    expect(prediction.label).toBe(label);
    expect(prediction.confidence).toBeGreaterThanOrEqual(0.75);
    expect(prediction.confidence).toBeLessThanOrEqual(1);
    expect(prediction.reply).toBeNull();
  });

  it.each(harder)('still labels a less familiar %s ticket right: %s', async (label, text) => {
    const prediction = await tier.predict(text, signal);
    expect(prediction.label).toBe(label);
    expect(prediction.confidence).toBeGreaterThan(0);
  });

  it.each(offTopic)('is unsure of off-topic text: %s', async (text) => {
    expect((await tier.predict(text, signal)).confidence).toBeLessThan(0.75);
  });

  it.each(gibberish)('gives gibberish no confidence: %s', async (text) => {
    expect((await tier.predict(text, signal)).confidence).toBeLessThan(0.75);
  });

  it('answers the most frequent label with confidence 0 when no word matches any example', async () => {
    const lopsided: Example[] = [
      { text: 'refund my payment', label: 'billing' },
      { text: 'parcel never arrived', label: 'shipping' },
      { text: 'parcel arrived broken', label: 'shipping' },
    ];
    const small = createLocalTier({ name: 'small', model: 'm', costPerRequestUsd: 0, examples: lopsided });
    expect(await small.predict('zzz qqq', signal)).toEqual({ label: 'shipping', confidence: 0, reply: null });
    expect(await small.predict('', signal)).toEqual({ label: 'shipping', confidence: 0, reply: null });
    expect((await small.predict('please refund my payment', signal)).label).toBe('billing');
  });

  it('ignores case, punctuation and function words', async () => {
    const plain = await tier.predict('parcel arrived damaged box crushed', signal);
    const noisy = await tier.predict('The PARCEL arrived -- damaged!!! And the box... was crushed?', signal);
    expect(noisy).toEqual(plain);
  });

  it('is deterministic, across calls and across tiers built from the same examples', async () => {
    const again = createLocalTier({ name: 'fast', model: 'tfidf-knn', costPerRequestUsd: 0, examples: [...examples] });
    for (const text of [...clear, ...harder].map(([, text]) => text).concat(offTopic)) {
      const first = await tier.predict(text, signal);
      expect(await tier.predict(text, signal)).toEqual(first);
      expect(await again.predict(text, signal)).toEqual(first);
    }
  });

  it('lets fewer neighbours vote when k is smaller', async () => {
    const one = createLocalTier({ name: 'one', model: 'm', costPerRequestUsd: 0, examples, k: 1 });
    // With a single neighbour there is no vote to split: the share is 1, only a loose match lowers the confidence.
    const prediction = await one.predict('The parcel arrived damaged, the box was crushed', signal);
    expect(prediction).toEqual({ label: 'shipping', confidence: 1, reply: null });
  });

  it('rejects on an already-aborted signal with an aborted TierError', async () => {
    const controller = new AbortController();
    controller.abort(new Error('timeout'));
    const failure = await tier.predict('My package has not arrived', controller.signal).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TierError);
    expect(failure).toMatchObject({ tier: 'fast', failure: 'aborted' });
  });

  it('refuses a bad k and an empty example set', () => {
    expect(() => createLocalTier({ name: 'x', model: 'm', costPerRequestUsd: 0, examples, k: 0 })).toThrow(/k must be a positive integer/);
    expect(() => createLocalTier({ name: 'x', model: 'm', costPerRequestUsd: 0, examples: [] })).toThrow(/no labelled examples/);
  });

  // How fast it predicts is a wall-clock figure, for `shipshape validate` and benchmarks: on a busy machine a speed
  // assertion fails for reasons that are not the code's. Here: it answers long input against many examples, the same way.
  it('answers 4,000 characters against 200 examples, with the same label every time', async () => {
    const many = Array.from({ length: 200 }, (_, index) => {
      const example = examples[index % examples.length] as Example;
      return { text: `${example.text} variant${index}`, label: example.label };
    });
    const big = createLocalTier({ name: 'big', model: 'm', costPerRequestUsd: 0, examples: many });
    const text = 'My package has not arrived, the app crashes when I open tracking and I was charged twice. '.repeat(50).slice(0, 4000);
    const labels = new Set<string>();
    for (let i = 0; i < 20; i++) labels.add((await big.predict(text, signal)).label);
    expect(labels.size).toBe(1);
    expect(many.map((example) => example.label)).toContain([...labels][0]);
  });
});

describe('data/examples.jsonl', () => {
  it('loads: the labelled examples the service starts with are valid', () => {
    const own = loadExamples(fileURLToPath(new URL('../data/examples.jsonl', import.meta.url)));
    expect(new Set(own.map((example) => example.label)).size).toBeGreaterThanOrEqual(2);
  });
});

describe('the examples file', () => {
  const good =
    '{"text": "I was charged twice", "label": "billing"}\n\n{"text": "The app crashes", "label": "technical", "source": "audit"}\n';

  it('parses JSON Lines, skipping blank lines and ignoring other fields', () => {
    expect(parseExamples(good, 'ex.jsonl')).toEqual([
      { text: 'I was charged twice', label: 'billing' },
      { text: 'The app crashes', label: 'technical' },
    ]);
    expect(parseExamples('\ufeff' + good.replaceAll('\n', '\r\n'), 'ex.jsonl')).toHaveLength(2);
  });

  it('points at the line and column of a JSON syntax error', () => {
    const content = `${good}{"text": "Where is my parcel" "label": "shipping"}\n`;
    expect(() => parseExamples(content, 'ex.jsonl')).toThrow(/^ex\.jsonl:4:31 invalid JSON: Expected ',' or '}' after property value$/);
    expect(() => parseExamples(`${good}{"text": "Where is my parcel", "label": }`, 'ex.jsonl')).toThrow(
      /^ex\.jsonl:4:41 invalid JSON: Unexpected token '}'$/,
    );
    expect(() => parseExamples(`${good}{"text": "Where is`, 'ex.jsonl')).toThrow(/^ex\.jsonl:4:\d+ invalid JSON: /);
    expect(() => parseExamples('nope', 'ex.jsonl')).toThrow(/^ex\.jsonl:1:2 invalid JSON: Unexpected token 'o'$/);
  });

  it('points at a missing or bad label', () => {
    expect(() => parseExamples(`${good}{"text": "Where is my parcel"}`, 'ex.jsonl')).toThrow(
      /^ex\.jsonl:4:1 "label" must be a non-empty string$/,
    );
    expect(() => parseExamples(`${good}{"text": "Where is my parcel", "label": 3}`, 'ex.jsonl')).toThrow(
      /^ex\.jsonl:4:32 "label" must be a non-empty string$/,
    );
    expect(() => parseExamples(`{"text": "Where is my parcel", "label": "shipping "}\n${good}`, 'ex.jsonl')).toThrow(
      /^ex\.jsonl:1:32 "label" must not start or end with whitespace: "shipping "$/,
    );
  });

  it('points at a missing text and a line that is not an object', () => {
    expect(() => parseExamples(`${good}{"label": "shipping", "text": ""}`, 'ex.jsonl')).toThrow(
      /^ex\.jsonl:4:23 "text" must be a non-empty string$/,
    );
    expect(() => parseExamples(`${good}["Where is my parcel", "shipping"]`, 'ex.jsonl')).toThrow(/^ex\.jsonl:4:1 expected a JSON object/);
  });

  it('needs at least two distinct labels', () => {
    const single = '{"text": "I was charged twice", "label": "billing"}\n{"text": "Refund me", "label": "billing"}\n';
    expect(() => parseExamples(single, 'ex.jsonl')).toThrow(/^ex\.jsonl: needs examples of at least 2 distinct labels, found "billing"$/);
    expect(() => parseExamples('\n\n', 'ex.jsonl')).toThrow(/^ex\.jsonl: needs examples of at least 2 distinct labels, found none$/);
  });

  it('loads a file, naming it in errors and saying clearly when it is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'examples-'));
    try {
      const file = join(dir, 'examples.jsonl');
      writeFileSync(file, good);
      expect(loadExamples(file)).toHaveLength(2);
      writeFileSync(file, `${good}{oops}\n`);
      expect(() => loadExamples(file)).toThrow(`${file}:4:2 invalid JSON`);
      const missing = join(dir, 'missing.jsonl');
      expect(() => loadExamples(missing)).toThrow(`${missing}: examples file not found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
