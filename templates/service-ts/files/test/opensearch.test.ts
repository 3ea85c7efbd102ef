// The OpenSearch retriever and loader (src/rag/opensearch.ts) through the official client, against a fake of the
// OpenSearch HTTP API (no cluster runs in a unit test): index creation, a bulk load, a BM25 search, an error.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { indexPassages, openSearchRetriever } from '../src/rag/opensearch.js';

interface Stored {
  doc: string;
  title: string;
  text: string;
}

/** The few endpoints the adapter uses: HEAD/PUT /<index>, POST /_bulk, POST /<index>/_search (a word-overlap score). */
async function fakeOpenSearch(): Promise<{ url: string; server: Server; indices: Map<string, Map<string, Stored>>; requests: string[] }> {
  const indices = new Map<string, Map<string, Stored>>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0]!;
      requests.push(`${req.method} ${path}`);
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const index = path.split('/')[1]!;
      if (req.method === 'HEAD') {
        res.writeHead(indices.has(index) ? 200 : 404);
        return res.end();
      }
      if (req.method === 'PUT') {
        indices.set(index, new Map());
        return json(200, { acknowledged: true, index });
      }
      if (path === '/_bulk') {
        const lines = body.split('\n').filter((line) => line.trim() !== '');
        const items = [];
        for (let i = 0; i < lines.length; i += 2) {
          const action = (JSON.parse(lines[i]!) as { index: { _index: string; _id: string } }).index;
          indices.get(action._index)?.set(action._id, JSON.parse(lines[i + 1]!) as Stored);
          items.push({ index: { _index: action._index, _id: action._id, status: 201 } });
        }
        return json(200, { took: 1, errors: false, items });
      }
      if (path.endsWith('/_search')) {
        const stored = indices.get(index);
        if (!stored) return json(404, { error: { type: 'index_not_found_exception', reason: `no such index [${index}]` }, status: 404 });
        const query = JSON.parse(body) as { size: number; query: { multi_match: { query: string } } };
        const words = new Set(query.query.multi_match.query.toLowerCase().split(/\W+/));
        const hits = [...stored.entries()]
          .map(([id, source]) => ({
            _index: index,
            _id: id,
            _score: `${source.title} ${source.text}`
              .toLowerCase()
              .split(/\W+/)
              .filter((w) => words.has(w)).length,
            _source: source,
          }))
          .filter((hit) => hit._score > 0)
          .sort((a, b) => b._score - a._score)
          .slice(0, query.size);
        return json(200, {
          took: 1,
          timed_out: false,
          hits: { total: { value: hits.length, relation: 'eq' }, max_score: hits[0]?._score ?? null, hits },
        });
      }
      json(400, { error: { type: 'illegal_argument_exception', reason: `unexpected ${req.method} ${path}` }, status: 400 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, indices, requests };
}

const passages = [
  { id: 'vpn.md#1', doc: 'vpn.md', title: 'Connecting to the VPN', text: 'The VPN password is reset from the self-service portal.' },
  { id: 'leave.md#1', doc: 'leave.md', title: 'Annual leave', text: 'Annual leave is 25 days a year.' },
];

describe('the OpenSearch adapter', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  it('creates the index once, loads the passages by id, and finds the best ones for a question', async () => {
    const fake = await fakeOpenSearch();
    server = fake.server;
    const options = { url: fake.url, index: 'helpdesk' };
    expect(await indexPassages(options, passages)).toBe(2);
    expect(await indexPassages(options, passages)).toBe(2);
    expect(fake.requests.filter((r) => r === 'PUT /helpdesk')).toHaveLength(1);
    expect(fake.indices.get('helpdesk')?.size).toBe(2);

    const found = await openSearchRetriever(options).retrieve('How do I reset my VPN password?', 1);
    expect(found).toEqual([{ ...passages[0], score: expect.any(Number) }]);
    expect(await openSearchRetriever(options).retrieve('zxq', 3)).toEqual([]);
  });

  it('rejects when the index does not exist (a failure of the tier that asked)', async () => {
    const fake = await fakeOpenSearch();
    server = fake.server;
    await expect(openSearchRetriever({ url: fake.url, index: 'missing' }).retrieve('vpn', 2)).rejects.toThrow(
      /index_not_found|no such index/,
    );
  });
});
