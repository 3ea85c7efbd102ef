import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectFiles } from '../../../src/check/project.js';
import { fallbackAnswer } from '../../../src/check/rules/fallback-answer.js';
import { taskFiles } from '../../../src/check/rules/task-files.js';
import { retrieverAdapter } from '../../../src/check/rules/retriever-adapter.js';
import { taskShape } from '../../../src/check/rules/task-shape.js';
import type { RuleContext } from '../../../src/check/types.js';
import type { Spec } from '../../../src/spec/schema.js';
import { checkFile } from '../../../src/check/check-file.js';
import { generate } from '../../helpers/generated.js';
import { ROOT, tempDir } from '../../helpers/temp.js';
import { example } from './helpers.js';
import { testRule } from './tester.js';

function rag(rag: Partial<NonNullable<NonNullable<Spec['task']>['rag']>> = {}, fallback?: Record<string, unknown>): Spec {
  const spec = example();
  spec.task = { kind: 'rag', rag: { corpus: 'docs', ...rag } };
  spec.resilience!.fallback = {
    strategy: 'lower-tier',
    static: fallback ?? { answer: 'Not found; a person will follow up.', citations: [] },
  };
  return spec;
}

function extract(schema = 'schema.json', fallback?: Record<string, unknown>): Spec {
  const spec = example();
  spec.task = { kind: 'extract', extract: { schema } };
  if (fallback) spec.resilience!.fallback = { strategy: 'static', static: fallback };
  else delete spec.resilience!.fallback;
  return spec;
}

testRule(taskShape, {
  valid: [
    { name: 'a classifier (no task block), as every spec before tasks', spec: example() },
    {
      name: 'a rag spec with an embedded retriever and a rag fallback',
      spec: rag({ retriever: { kind: 'embedded', topK: 4 }, citations: { min: 4 } }),
    },
    {
      name: 'a vector store with its endpoint',
      spec: rag({ retriever: { kind: 'opensearch', topK: 5, endpoint: '${OPENSEARCH_URL}' } }),
    },
    { name: 'an extract spec, whose fallback task-files checks against its schema', spec: extract('schema.json', { total: null }) },
  ],
  invalid: [
    {
      name: 'more citations than passages retrieved',
      spec: rag({ retriever: { kind: 'embedded', topK: 2 }, citations: { min: 3 } }),
      reports: [{ messageId: 'citationsOverTopK', data: { min: '3', topK: '2' }, path: ['task', 'rag', 'citations', 'min'] }],
    },
    {
      name: 'more citations than the default 4 passages',
      spec: rag({ citations: { min: 5 } }),
      reports: [{ messageId: 'citationsOverTopK', data: { min: '5', topK: '4' } }],
    },
    {
      name: 'a vector store without an endpoint',
      spec: rag({ retriever: { kind: 'pgvector', topK: 4 } }),
      reports: [{ messageId: 'storeWithoutEndpoint', data: { kind: 'pgvector' }, path: ['task', 'rag', 'retriever', 'kind'] }],
    },
    {
      name: "a classifier's fallback on a rag service",
      spec: rag({}, { queue: 'general', reply: null }),
      reports: [{ messageId: 'ragFallbackNoAnswer', path: ['resilience', 'fallback', 'static'] }],
    },
    {
      name: 'a static answer that cites something',
      spec: rag({}, { answer: 'See the docs.', citations: ['refunds.md'] }),
      reports: [{ messageId: 'ragFallbackCitations', path: ['resilience', 'fallback', 'static', 'citations'] }],
    },
  ],
});

testRule(retrieverAdapter, {
  valid: [
    { name: 'a classifier (no task block)', spec: example() },
    { name: 'a rag spec with the default retriever (none named)', spec: rag() },
    { name: 'the embedded index', spec: rag({ retriever: { kind: 'embedded', topK: 4 } }) },
    { name: 'OpenSearch', spec: rag({ retriever: { kind: 'opensearch', topK: 4, endpoint: '${OPENSEARCH_URL}' } }) },
    { name: 'an extract spec', spec: extract() },
  ],
  invalid: [
    {
      name: 'qdrant, which the default pack has no adapter for',
      spec: rag({ retriever: { kind: 'qdrant', topK: 4, endpoint: '${QDRANT_URL}' } }),
      reports: [
        {
          messageId: 'noAdapter',
          data: { kind: 'qdrant', pack: 'service-ts', supported: 'embedded and opensearch' },
          path: ['task', 'rag', 'retriever', 'kind'],
        },
      ],
    },
    {
      name: 'pgvector, without an endpoint too (task-shape reports that)',
      spec: rag({ retriever: { kind: 'pgvector', topK: 4 } }),
      reports: [{ messageId: 'noAdapter', data: { kind: 'pgvector', pack: 'service-ts', supported: 'embedded and opensearch' } }],
    },
  ],
});

describe('retriever-adapter, in a project and a file', () => {
  const qdrant = () => rag({ retriever: { kind: 'qdrant', topK: 4, endpoint: '${QDRANT_URL}' } });
  const reports = (dir: string) => retrieverAdapter.check(context(dir, qdrant())).map((report) => report.messageId);

  it('warns in a project generated from the default pack, or not generated yet, and not in one from another pack', () => {
    const own = tempDir();
    generate(own, {});
    expect(reports(own)).toEqual(['noAdapter']);
    expect(reports(tempDir())).toEqual(['noAdapter']);
    const other = tempDir();
    generate(other, {}, { name: 'service-qdrant', version: '1.0.0' });
    expect(reports(other)).toEqual([]);
  });

  it('is a warning at file:line:col of the retriever kind, in the rag example changed to qdrant', async () => {
    const text = readFileSync(join(ROOT, 'examples', 'rag-helpdesk.yaml'), 'utf8').replace(
      /kind: embedded( +#.*)?\n/,
      "kind: qdrant\n      endpoint: '${QDRANT_URL}'\n",
    );
    const dir = tempDir();
    cpSync(join(ROOT, 'examples', 'rag-helpdesk'), dir, { recursive: true });
    writeFileSync(join(dir, 'shipshape.yaml'), text);
    const found = (await checkFile(join(dir, 'shipshape.yaml'), 'shipshape.yaml', { today: new Date() })).findings.filter(
      (finding) => finding.ruleId === 'retriever-adapter',
    );
    const line = text.split('\n').findIndex((l) => l.includes('kind: qdrant')) + 1;
    expect(found.map(({ severity, range }) => ({ severity, line: range.line, column: range.column }))).toEqual([
      { severity: 'warn', line, column: text.split('\n')[line - 1]!.indexOf('qdrant') + 1 },
    ]);
  });
});

testRule(fallbackAnswer, {
  valid: [
    { name: 'a rag answer with no label', spec: rag() },
    { name: 'an extract object with no text field', spec: extract('schema.json', { total: null }) },
  ],
  invalid: [],
});

function context(dir: string, spec: Spec): RuleContext {
  return { spec, stage: 8, strings: () => [], project: projectFiles(join(dir, 'shipshape.yaml')) };
}
const reportsOf = (dir: string, spec: Spec) =>
  taskFiles.check(context(dir, spec)).map(({ messageId, data, path }) => ({ messageId, data, path }));

const INVOICE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['total'],
  properties: { total: { type: ['number', 'null'] } },
  additionalProperties: false,
};

describe('task-files, on real folders', () => {
  it('passes a corpus folder of documents beside the spec, and a classifier without looking at anything', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'docs', 'billing'), { recursive: true });
    writeFileSync(join(dir, 'docs', 'billing', 'refunds.md'), '# Refunds\n');
    expect(reportsOf(dir, rag())).toEqual([]);
    expect(reportsOf(dir, example())).toEqual([]);
  });

  it('reports a missing corpus, a file where the folder should be, and an empty folder', () => {
    const dir = tempDir();
    const field = { field: 'task.rag.corpus', value: 'docs' };
    expect(reportsOf(dir, rag())).toEqual([{ messageId: 'missing', data: field, path: ['task', 'rag', 'corpus'] }]);
    writeFileSync(join(dir, 'docs'), 'not a folder\n');
    expect(reportsOf(dir, rag())).toEqual([
      { messageId: 'wrongKind', data: { ...field, what: 'a file', expected: 'a folder' }, path: ['task', 'rag', 'corpus'] },
    ]);
    const empty = tempDir();
    mkdirSync(join(empty, 'docs', 'sub'), { recursive: true });
    // Hidden files are not documents.
    writeFileSync(join(empty, 'docs', '.DS_Store'), '');
    expect(reportsOf(empty, rag())).toEqual([{ messageId: 'emptyCorpus', data: { value: 'docs' }, path: ['task', 'rag', 'corpus'] }]);
  });

  it('never reads a corpus outside the project, by path or through a symbolic link', () => {
    const dir = tempDir();
    const elsewhere = tempDir();
    writeFileSync(join(elsewhere, 'secret.md'), 'x\n');
    expect(reportsOf(dir, rag({ corpus: '../' }))).toEqual([
      { messageId: 'outside', data: { field: 'task.rag.corpus', value: '../' }, path: ['task', 'rag', 'corpus'] },
    ]);
    expect(reportsOf(dir, rag({ corpus: elsewhere }))[0]?.messageId).toBe('outside');
    symlinkSync(elsewhere, join(dir, 'docs'));
    expect(reportsOf(dir, rag())).toEqual([
      { messageId: 'escapes', data: { field: 'task.rag.corpus', value: 'docs' }, path: ['task', 'rag', 'corpus'] },
    ]);
    // A link inside the corpus to a folder elsewhere is not counted as documents either.
    const linked = tempDir();
    mkdirSync(join(linked, 'docs'));
    symlinkSync(elsewhere, join(linked, 'docs', 'more'));
    expect(reportsOf(linked, rag())[0]?.messageId).toBe('emptyCorpus');
  });

  it('passes a valid extract schema and a fallback valid against it; draft-07 too', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'schema.json'), JSON.stringify(INVOICE_SCHEMA));
    expect(reportsOf(dir, extract('schema.json', { total: null }))).toEqual([]);
    writeFileSync(join(dir, 'seven.json'), JSON.stringify({ ...INVOICE_SCHEMA, $schema: 'http://json-schema.org/draft-07/schema#' }));
    expect(reportsOf(dir, extract('seven.json', { total: 12.5 }))).toEqual([]);
  });

  it('reports a missing schema, one that is not JSON, one of another draft, and one that does not compile', () => {
    const dir = tempDir();
    const at = ['task', 'extract', 'schema'];
    expect(reportsOf(dir, extract('nope.json'))).toEqual([
      { messageId: 'missing', data: { field: 'task.extract.schema', value: 'nope.json' }, path: at },
    ]);
    writeFileSync(join(dir, 'broken.json'), '{ "type": ');
    expect(reportsOf(dir, extract('broken.json'))[0]).toMatchObject({
      messageId: 'schemaNotJson',
      data: { value: 'broken.json' },
      path: at,
    });
    writeFileSync(join(dir, 'four.json'), JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' }));
    expect(reportsOf(dir, extract('four.json'))).toEqual([
      { messageId: 'schemaDraft', data: { value: 'four.json', declared: '"http://json-schema.org/draft-04/schema#"' }, path: at },
    ]);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ type: 'objekt' }));
    expect(reportsOf(dir, extract('bad.json'))[0]).toMatchObject({ messageId: 'schemaInvalid', data: { value: 'bad.json' }, path: at });
    mkdirSync(join(dir, 'folder.json'));
    expect(reportsOf(dir, extract('folder.json'))[0]).toMatchObject({
      messageId: 'wrongKind',
      data: { what: 'a folder', expected: 'a file' },
    });
  });

  it("reports a static fallback that violates the task's schema, saying where", () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'schema.json'), JSON.stringify(INVOICE_SCHEMA));
    expect(reportsOf(dir, extract('schema.json', { label: 'needs-review' }))).toEqual([
      {
        messageId: 'fallbackInvalid',
        data: { value: 'schema.json', error: "(the object) must have required property 'total'" },
        path: ['resilience', 'fallback', 'static'],
      },
    ]);
    expect(reportsOf(dir, extract('schema.json', { total: 'twelve' }))[0]?.data).toEqual({
      value: 'schema.json',
      error: '/total must be number,null',
    });
  });
});
