import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInit } from '../../src/init/run.js';
import { tempDir } from '../helpers/temp.js';
import { rejection } from '../helpers/errors.js';
import { options, written, STAGE_ONE_FLAGS, TIERED_FLAGS } from './answers.js';

const FLAGS = { ...STAGE_ONE_FLAGS, problem: 'Customers wait a day for answers.', ...TIERED_FLAGS };

describe('init asks for the task', () => {
  it('writes no task block for a classifier, the default, so the spec means what it always meant', async () => {
    const dir = tempDir();
    await runInit(options(dir, { flags: { ...FLAGS, failureModeKinds: 'bad-output' } }));
    const { spec, text } = written(dir);
    expect(spec.task).toBeUndefined();
    expect(text).not.toMatch(/^task:/m);
    expect(spec.failureModes?.map((m) => m.id)).toEqual(['bad-output']);
    expect(spec.models?.tiers[0]?.model).toBe('keyword-router-v1');
  });

  it('--task rag --corpus writes the rag block, with the task failure modes offered by default under --yes', async () => {
    const dir = tempDir();
    await runInit(options(dir, { yes: true, flags: { ...FLAGS, fastModel: undefined as never, task: 'rag', corpus: 'docs' } }));
    const { spec, text } = written(dir);
    expect(spec.task).toEqual({
      kind: 'rag',
      rag: {
        corpus: 'docs',
        chunking: { maxChars: 800, overlapChars: 100 },
        retriever: { kind: 'embedded', topK: 4 },
        citations: { min: 1 },
        grounding: { minSupport: 0.5 },
      },
    });
    expect(text).toMatch(/^task: # what the service does: classify \| rag \| extract/m);
    expect(text).toMatch(/^ {4}corpus: docs # a folder of documents, relative to this file$/m);
    // The local tier the pack implements for the task, and the task's own failure modes under their own ids.
    expect(spec.models?.tiers[0]?.model).toBe('extractive-reader-v1');
    expect(spec.failureModes?.map((m) => [m.id, m.kind])).toEqual([
      ['upstream-failure', 'upstream-failure'],
      ['latency-spike', 'latency-spike'],
      ['ungrounded-answer', 'bad-output'],
      ['bad-deploy', 'bad-deploy'],
      ['empty-retrieval', 'data-drift'],
    ]);
    expect(Object.keys(spec).indexOf('task')).toBe(Object.keys(spec).indexOf('slo') + 1);
  });

  it('--task extract --extract-schema writes the extract block; a second tier is what a violation escalates to', async () => {
    const dir = tempDir();
    await runInit(
      options(dir, { flags: { ...FLAGS, task: 'extract', extractSchema: 'schemas/invoice.json', failureModeKinds: 'bad-output' } }),
    );
    const { spec } = written(dir);
    expect(spec.task).toEqual({ kind: 'extract', extract: { schema: 'schemas/invoice.json', onViolation: 'escalate' } });
    expect(spec.failureModes?.map((m) => m.id)).toEqual(['schema-violation']);

    const single = tempDir();
    await runInit(
      options(single, { yes: true, flags: { ...STAGE_ONE_FLAGS, problem: 'Keyed by hand.', models: 'single', task: 'extract' } }),
    );
    expect(written(single).spec.task).toEqual({ kind: 'extract', extract: { schema: 'schemas/output.schema.json', onViolation: 'retry' } });
  });

  it('without --yes or a terminal, a rag task needs its corpus', async () => {
    const dir = tempDir();
    const error = await rejection(runInit(options(dir, { flags: { ...FLAGS, failureModeKinds: 'none', task: 'rag' } })));
    expect(error.message).toMatch(/^missing answers, and init does not prompt when there is no terminal: --corpus$/);
  });

  it('rejects an unknown task with the schema message', async () => {
    const dir = tempDir();
    const error = await rejection(runInit(options(dir, { yes: true, flags: { ...FLAGS, task: 'rank' } })));
    expect(error.message).toBe('--task must be one of classify, rag, extract');
  });

  it('takes the task from an answers file', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'answers.yaml'),
      `${Object.entries(FLAGS)
        .map(([key, value]) => `${key}: "${value}"`)
        .join('\n')}\nfailureModes: none\ntask: extract\nextractSchema: out.json\n`,
    );
    await runInit(options(dir, { answers: 'answers.yaml' }));
    expect(written(dir).spec.task?.extract?.schema).toBe('out.json');
  });
});
