// The rag pipeline: chunking, the embedded index, the extractive reader, the writer's protocol, the checks (citations,
// grounding) and what the service answers, on a small corpus of its own, and the index of the project's corpus.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { taskOf, type Config } from '../src/config/index.js';
import { chunk, loadPassages } from '../src/rag/corpus.js';
import { checkAnswer, support } from '../src/rag/grounding.js';
import { createReaderTier } from '../src/rag/reader.js';
import { embeddedRetriever, memoised, writeIndex, type Retriever } from '../src/rag/retriever.js';
import { ragProtocol } from '../src/rag/writer.js';
import { predictResponseSchema } from '../src/task/rag.js';
import { projectConfig, servicePerTest, type TestService } from './support/service.js';

const CHUNKING = { maxChars: 300, overlapChars: 40 };

/** A corpus of two documents in a fresh folder. */
function corpus(): string {
  const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
  writeFileSync(
    join(dir, 'vpn.md'),
    '# Connecting to the VPN\n\nInstall the Tunnelr client from the software centre.\nSign in with your staff account.\n\nThe VPN password is reset from the self-service portal; the new password works after 10 minutes.\n',
  );
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'leave.txt'), 'Annual leave is 25 days a year. Unused days carry over until the end of March.');
  writeFileSync(join(dir, 'notes.pdf'), 'not a document the corpus reads');
  return dir;
}

describe('chunking', () => {
  it('cuts at paragraphs within maxChars, overlapping the passage before, numbering passages per document', () => {
    const text = Array.from({ length: 8 }, (_, i) => `Paragraph ${i} says something about topic ${i} in a few words.`).join('\n\n');
    const passages = chunk('doc.md', `# Title\n\n${text}`, { maxChars: 150, overlapChars: 30 });
    expect(passages.length).toBeGreaterThan(2);
    for (const passage of passages) expect(passage.text.length).toBeLessThanOrEqual(150);
    expect(passages.map((p) => p.id)).toEqual(passages.map((_, i) => `doc.md#${i + 1}`));
    expect(passages[0]!.title).toBe('Title');
    // The overlap: the second passage starts with words the first ends with.
    const head = passages[1]!.text.split('\n\n')[0]!;
    expect(passages[0]!.text.endsWith(head)).toBe(true);
  });

  it('reads .md and .txt documents of the folder and its sub-folders, and refuses a folder without any', () => {
    expect([...new Set(loadPassages(corpus(), CHUNKING).map((p) => p.doc))]).toEqual(['policies/leave.txt', 'vpn.md']);
    expect(() => loadPassages(mkdtempSync(join(tmpdir(), 'empty-')), CHUNKING)).toThrow(/holds no \.md or \.txt document/);
    expect(() => loadPassages('/nonexistent/corpus', CHUNKING)).toThrow(/does not exist/);
  });
});

describe('the embedded index', () => {
  it('finds the passage that answers a question, best first, and loads the index npm run build writes', async () => {
    const dir = corpus();
    const built = embeddedRetriever(dir, CHUNKING, join(dir, 'missing.json'));
    const hits = await built.retrieve('How do I reset my VPN password?', 2);
    expect(hits[0]!.doc).toBe('vpn.md');
    const file = join(mkdtempSync(join(tmpdir(), 'index-')), 'index.json');
    expect(writeIndex(file, dir, CHUNKING)).toBeGreaterThan(0);
    const loaded = embeddedRetriever(dir, CHUNKING, file);
    expect((await loaded.retrieve('annual leave days', 1)).map((p) => p.doc)).toEqual(['policies/leave.txt']);
    expect(await loaded.retrieve('zxq vlorp', 3)).toEqual([]);
  });

  it('shares one retrieval per question between the tiers of a cascade', async () => {
    let calls = 0;
    const counting: Retriever = { kind: 'test', retrieve: async () => (calls++, []) };
    const shared = memoised(counting);
    await shared.retrieve('q', 3);
    await shared.retrieve('q', 3);
    expect(calls).toBe(1);
  });

  it("indexes the project's own corpus (task.rag.corpus) within its chunking", () => {
    const task = taskOf(projectConfig(), 'rag');
    const passages = loadPassages(task.corpusDir, task.chunking);
    expect(passages.length).toBeGreaterThan(0);
    for (const passage of passages) expect(passage.text.length).toBeLessThanOrEqual(task.chunking.maxChars);
  });
});

describe('the checks', () => {
  const given = [{ id: 'vpn.md#1', doc: 'vpn.md', title: 'VPN', text: 'The VPN password is reset from the self-service portal.' }];
  const rules = { citationsMin: 1, minSupport: 0.5 };

  it('passes an answer its cited passage supports', () => {
    const result = checkAnswer({ answer: 'Reset the VPN password from the self-service portal.', citations: [given[0]!] }, given, rules);
    expect(result.citations.passed && result.grounding.passed).toBe(true);
  });

  it('fails an answer with too few citations, one citing a passage it was not given, and one its passage does not support', () => {
    expect(checkAnswer({ answer: 'From the portal.', citations: [] }, given, rules).citations.problem).toMatch(/fewer than 1/);
    expect(
      checkAnswer({ answer: 'x', citations: [{ id: 'other.md#9', doc: 'other.md', title: '' }] }, given, rules).citations.problem,
    ).toMatch(/not given: other\.md#9/);
    const ungrounded = checkAnswer({ answer: 'It is free forever with a lifetime guarantee.', citations: [given[0]!] }, given, rules);
    expect(ungrounded.grounding.passed).toBe(false);
    expect(ungrounded.grounding.problem).toMatch(/^ungrounded/);
    expect(support('the portal', given)).toBe(1);
  });
});

describe('the tiers', () => {
  it('the reader answers with the best sentence and cites its passage; unsure of a half match, sure of a full one', async () => {
    const retriever = embeddedRetriever(corpus(), CHUNKING, '/nonexistent.json');
    const reader = createReaderTier({ name: 'reader', model: 'r', costPerRequestUsd: 0, retriever, topK: 3 });
    const sure = await reader.predict('How many days of annual leave a year?', new AbortController().signal);
    expect(sure.output).toMatchObject({ answer: 'Annual leave is 25 days a year.', citations: [{ doc: 'policies/leave.txt' }] });
    expect(sure.confidence).toBeGreaterThan(0.6);
    const nothing = await reader.predict('zxq vlorp', new AbortController().signal);
    expect(nothing).toMatchObject({ confidence: 0, output: { answer: '', citations: [] } });
  });

  it('the writer is given the passages and its citations are mapped back to them', async () => {
    const retriever = embeddedRetriever(corpus(), CHUNKING, '/nonexistent.json');
    const protocol = ragProtocol(retriever, 2);
    const { content, context } = await protocol.user('reset VPN password', new AbortController().signal);
    const ids = (JSON.parse(content) as { passages: { id: string }[] }).passages.map((p) => p.id);
    expect(ids).toContain('vpn.md#1');
    const parsed = protocol.parse({ answer: 'From the portal.', citations: ['vpn.md#1'], confidence: 0.8 }, context);
    expect(parsed.output).toMatchObject({ citations: [{ id: 'vpn.md#1', doc: 'vpn.md', title: 'Connecting to the VPN' }] });
    expect(() => protocol.parse({ answer: 'x' }, context)).toThrow(/not \{answer, citations, confidence\}/);
  });
});

describe('the service', () => {
  const serve = servicePerTest();

  /** The project's service on a corpus of its own (CORPUS_DIR), its http tiers on the dev fake. */
  async function start(options: { malformed?: boolean } = {}): Promise<TestService & { config: Config }> {
    let config: Config | undefined;
    const service = await serve(options.malformed ? { fault: { type: 'malformed', rate: 1 } } : {}, (url) => {
      const loaded = projectConfig(url, { CORPUS_DIR: corpus() });
      return (config = { ...loaded, task: { ...taskOf(loaded, 'rag'), chunking: CHUNKING } });
    });
    return { ...service, config: config! };
  }

  it('answers a question from the corpus with a citation of the right document, in the contract shape', async () => {
    const { status, body } = await (await start()).ask('How do I reset my VPN password?');
    expect(status).toBe(200);
    expect(predictResponseSchema.parse(body)).toMatchObject({ degraded: false, citations: [{ doc: 'vpn.md' }] });
  });

  it('routes an answer its citations do not support to the fallback, counted as a failed grounding check', async () => {
    const { ask, metrics } = await start({ malformed: true });
    // Nothing the reader is sure of: the writer answers, always malformed or ungrounded here.
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await ask('VPN client zxq vlorp quandle mirth')).body);
    for (const body of answers) {
      expect(body['fallback']).toBe(true);
      expect(body['fallbackReason']).toBe('invalid-output');
    }
    expect(await metrics()).toMatch(/ai_output_checks_total\{check="grounding",tier="[^"]+",outcome="fail"/);
  });

  it('the static fallback answers in the task shape: no citations, degraded', async () => {
    const { ask, config } = await start();
    const body = (await ask('zxq vlorp quandle mirth')).body;
    if (config.resilience.fallback?.static) {
      expect(body).toMatchObject({
        tier: 'static',
        citations: [],
        degraded: true,
        answer: config.resilience.fallback.static.fields['answer'],
      });
      expect(body['label']).toBeUndefined();
    } else {
      expect([200, 503]).toContain((await ask('zxq vlorp quandle mirth')).status);
    }
  });

  it('serves the OpenAPI description of the contract, made from the same zod schemas', async () => {
    const { url } = await start();
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        { post: { responses: Record<string, { content: Record<string, { schema: { properties: Record<string, unknown> } }> }> } }
      >;
    };
    const answer = document.paths['/v1/predict']!.post.responses['200']!.content['application/json']!.schema;
    expect(Object.keys(answer.properties)).toEqual(expect.arrayContaining(['answer', 'citations', 'degraded', 'predictionId']));
  });
});
