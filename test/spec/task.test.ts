// task: what the service does. An addition to the spec: a spec without it stays a classifier.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { specSchema } from '../../src/spec/schema.js';
import { EXAMPLE } from '../helpers/temp.js';

const example = parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
const withTask = (task: unknown) => ({ ...example, task });
const issues = (value: unknown) => {
  const result = specSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('task', () => {
  it('is optional: the example, without it, is valid', () => {
    expect(example.task).toBeUndefined();
    expect(issues(example)).toEqual([]);
  });

  it('takes each kind with its block', () => {
    expect(issues(withTask({ kind: 'classify' }))).toEqual([]);
    const rag = {
      corpus: 'corpus',
      chunking: { maxChars: 800, overlapChars: 100 },
      retriever: { kind: 'embedded', topK: 4 },
      citations: { min: 1 },
      grounding: { minSupport: 0.5 },
    };
    expect(issues(withTask({ kind: 'rag', rag }))).toEqual([]);
    expect(
      issues(
        withTask({
          kind: 'rag',
          rag: { corpus: 'docs', retriever: { kind: 'qdrant', topK: 8, endpoint: '${QDRANT_URL}', collection: 'kb' } },
        }),
      ),
    ).toEqual([]);
    expect(issues(withTask({ kind: 'extract', extract: { schema: 'schemas/ticket.json', onViolation: 'escalate' } }))).toEqual([]);
  });

  it("needs the kind's block, and only that one", () => {
    expect(issues(withTask({ kind: 'rag' }))).toEqual(['task.rag: kind rag needs a rag block (at least its corpus)']);
    expect(issues(withTask({ kind: 'extract' }))).toEqual(['task.extract: kind extract needs an extract block (at least its schema)']);
    expect(issues(withTask({ kind: 'classify', rag: { corpus: 'c' } }))).toEqual(['task.rag: a rag block applies only to kind rag']);
  });

  it('refuses an unknown kind, a literal endpoint and out-of-range numbers', () => {
    expect(issues(withTask({ kind: 'summarise' }))[0]).toContain('must be one of classify, rag, extract');
    expect(
      issues(withTask({ kind: 'rag', rag: { corpus: 'c', retriever: { kind: 'qdrant', topK: 4, endpoint: 'http://q:6333' } } }))[0],
    ).toContain('environment reference');
    expect(issues(withTask({ kind: 'rag', rag: { corpus: 'c', grounding: { minSupport: 1.5 } } }))[0]).toContain('between 0 and 1');
    expect(issues(withTask({ kind: 'rag', rag: { corpus: 'c', retriever: { kind: 'embedded', topK: 0 } } }))[0]).toContain(
      'positive whole number',
    );
  });
});
