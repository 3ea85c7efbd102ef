import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { runInit, type InitOptions } from '../../src/init/run.js';
import { loadSpecText } from '../../src/spec/load.js';
import { createPrompter } from '../../src/ui/prompts.js';
import { ROOT, tempDir } from '../helpers/temp.js';
import { STAGE_ONE_FLAGS } from './answers.js';

const ENTER = '\r';
const DOWN = '\x1b[B';
const UP = '\x1b[A';
const BACKSPACE = '\x7f';
const CTRL_C = '\x03';

/** A fake terminal around the real inquirer prompts: keystrokes in, rendered screen out. */
function terminal() {
  const input = new PassThrough();
  let raw = '';
  let mark = 0;
  const output = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        raw += chunk.toString();
        done();
      },
    }),
    { columns: 200 },
  );
  const screen = () => stripVTControlCharacters(raw);
  /** Waits for text to appear on screen after what was already answered. */
  async function waitFor(text: string): Promise<string> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const shown = screen().slice(mark);
      const at = shown.indexOf(text);
      if (at !== -1) {
        mark += at + text.length;
        return shown;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)}; screen ends with:\n${shown.slice(-600)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  return {
    prompter: createPrompter({ input, output }),
    screen,
    waitFor,
    /** Waits for a question, then types the keys. */
    async answer(question: string, keys: string): Promise<void> {
      await waitFor(question);
      input.write(keys);
    },
  };
}

/** Every answer as a flag, but the problem. */
const EVERY_FLAG_BUT_PROBLEM = {
  ...STAGE_ONE_FLAGS,
  description: '',
  team: '',
  metricDescription: '',
  task: 'classify',
  models: 'none',
  failureModeKinds: 'bad-deploy',
} as const;

function options(dir: string, t: ReturnType<typeof terminal>, extra: Partial<InitOptions> = {}): InitOptions {
  return { dir, cwd: dir, interactive: true, prompter: t.prompter, packageRoot: ROOT, ...extra };
}

describe('init, interactive, through the real prompts', () => {
  it('asks every question, rejects an invalid answer with the schema message, and writes what was answered', async () => {
    const dir = tempDir();
    const t = terminal();
    const run = runInit(options(dir, t));

    await t.answer('Service name', `${'\x7f'.repeat(40)}support-triage${ENTER}`);
    await t.answer('What the service does', `Routes support tickets.${ENTER}`);
    await t.answer('Owner', `lead@example.com${ENTER}`);
    await t.answer('Team', ENTER);
    await t.answer('Service tier', UP + ENTER);
    await t.answer('The business problem', `Tickets wait hours for manual routing.${ENTER}`);
    await t.answer('The business metric', `median_first_response_minutes${ENTER}`);
    await t.answer('How the metric is measured', ENTER);
    await t.answer('Its baseline', `240${ENTER}`);
    await t.answer('Its target', `60${ENTER}`);
    await t.answer('Which way is better', ENTER);
    await t.answer('Success criterion: median_first_response_minutes <= 60', ENTER);
    await t.answer('Add another success criterion?', `y${ENTER}`);
    await t.answer('Criterion id', `Routing Accuracy${ENTER}`);
    // The id is rejected with the schema's own message, then corrected.
    expect(await t.waitFor('must be an id (lower-case letters, digits and dashes, e.g. llm-outage)')).toBeTruthy();
    await t.answer('', `${BACKSPACE.repeat(16)}routing-accuracy${ENTER}`);
    await t.answer('Metric it checks', `${BACKSPACE.repeat(40)}routing_accuracy${ENTER}`);
    await t.answer('Passes when the metric is', ENTER);
    await t.answer('Minimum value', `0.9${ENTER}`);
    await t.answer('Description (optional)', ENTER);
    await t.answer('Add another success criterion?', ENTER);
    await t.answer('Availability SLO', `100${ENTER}`);
    expect(await t.waitFor('must be a percentage below 100, e.g. 99.9 (100 leaves no error budget)')).toBeTruthy();
    await t.answer('', `${BACKSPACE.repeat(3)}99.9${ENTER}`);
    await t.answer('SLO window in days', ENTER);
    await t.answer('Latency SLO: p95', ENTER);
    await t.answer('Latency SLO: p99', `${BACKSPACE.repeat(4)}2500${ENTER}`);
    await t.answer('peak requests per second', `40${ENTER}`);
    await t.answer('requests per day', `${BACKSPACE.repeat(10)}200000${ENTER}`);
    await t.answer('Task: the kind of work', ENTER);
    await t.answer('Model tiers', ENTER);
    await t.answer('Fast tier (local): model', ENTER);
    await t.answer('Fast tier: timeout', ENTER);
    await t.answer('Fast tier: cost', ENTER);
    await t.answer('Http tier: model', ENTER);
    await t.answer('Http tier: endpoint', `${BACKSPACE.repeat(12)}https://llm.example.com${ENTER}`);
    expect(await t.waitFor('must be an environment reference like ${LLM_URL}: endpoints never go in the spec')).toBeTruthy();
    await t.answer('', `${BACKSPACE.repeat(23)}\${TRIAGE_LLM_URL}${ENTER}`);
    // The key is a question of its own, with no default: a literal key is refused like a literal URL.
    await t.answer('Http tier: API key', `sk-live-123${ENTER}`);
    expect(await t.waitFor('keys never go in the spec')).toBeTruthy();
    await t.answer('', `${BACKSPACE.repeat(11)}\${TRIAGE_LLM_KEY}${ENTER}`);
    await t.answer('Http tier: timeout', ENTER);
    await t.answer('Http tier: cost', ENTER);
    await t.answer('Cascade: escalate when', ENTER);
    await t.answer('Cascade: expected share', `${BACKSPACE.repeat(5)}0.35${ENTER}`);
    await t.answer('Budget: cost per request', `${BACKSPACE.repeat(10)}0.002${ENTER}`);
    await t.answer('Budget: monthly spend', `${BACKSPACE.repeat(10)}10000${ENTER}`);
    // Four kinds come checked; add data-drift (the fifth) and drop bad-deploy (the fourth).
    await t.answer('Failure modes', `${DOWN.repeat(3)} ${DOWN} ${ENTER}`);
    await t.answer('upstream-failure: id', `${BACKSPACE.repeat(20)}llm-outage${ENTER}`);
    await t.answer('upstream-failure: what happens', ENTER);
    await t.answer('upstream-failure: likelihood', ENTER);
    await t.answer('upstream-failure: impact', ENTER);
    for (const kind of ['latency-spike', 'bad-output', 'data-drift']) {
      await t.answer(`${kind}: id`, ENTER);
      await t.answer(`${kind}: what happens`, ENTER);
      await t.answer(`${kind}: likelihood`, kind === 'data-drift' ? DOWN + ENTER : ENTER);
      await t.answer(`${kind}: impact`, ENTER);
    }
    await t.answer('Service     support-triage (tier 1)', '');
    expect(existsSync(join(dir, 'shipshape.yaml'))).toBe(false);
    await t.answer('Write shipshape.yaml?', ENTER);
    const result = await run;

    expect(result.written).toBe(true);
    const text = readFileSync(join(dir, 'shipshape.yaml'), 'utf8');
    const loaded = loadSpecText('shipshape.yaml', text);
    expect(loaded.diagnostics).toEqual([]);
    const spec = loaded.spec!;
    expect(spec.metadata).toEqual({ name: 'support-triage', description: 'Routes support tickets.', owner: 'lead@example.com', tier: 1 });
    expect(spec.business.metric).toEqual({ name: 'median_first_response_minutes', baseline: 240, target: 60, direction: 'decrease' });
    expect(spec.business.successCriteria?.map((c) => [c.id, c.metric, c.min, c.max])).toEqual([
      ['median-first-response-minutes', 'median_first_response_minutes', undefined, 60],
      ['routing-accuracy', 'routing_accuracy', 0.9, undefined],
    ]);
    expect(spec.slo).toEqual({ availability: 99.9, windowDays: 30, latency: { p95Ms: 1200, p99Ms: 2500 } });
    expect(spec.business.budget).toEqual({ costPerRequestUsd: 0.002, monthlyUsd: 10000 });
    expect(spec.business.expectedLoad).toEqual({ peakRps: 40, dailyRequests: 200000 });
    expect(spec.models?.tiers.map((tier) => tier.name)).toEqual(['fast', 'strong']);
    expect(spec.models?.tiers[1]?.endpoint).toBe('${TRIAGE_LLM_URL}');
    expect(spec.models?.tiers[1]?.apiKey).toBe('${TRIAGE_LLM_KEY}');
    expect(spec.models?.routing).toEqual({ strategy: 'cascade', escalateWhen: { confidenceBelow: 0.75 }, expectedEscalationRate: 0.35 });
    expect(spec.failureModes?.map((m) => [m.id, m.kind, m.likelihood])).toEqual([
      ['llm-outage', 'upstream-failure', 'medium'],
      ['latency-spike', 'latency-spike', 'high'],
      ['bad-output', 'bad-output', 'medium'],
      ['data-drift', 'data-drift', 'high'],
    ]);
    expect(existsSync(join(dir, '.shipshape', 'shipshape.schema.json'))).toBe(true);
  });

  it('offers no placeholder to accept with Enter: the owner and the problem must be typed', async () => {
    const dir = tempDir();
    const t = terminal();
    const { owner: _owner, ...flags } = EVERY_FLAG_BUT_PROBLEM;
    const run = runInit(options(dir, t, { flags }));
    await t.answer('Owner', ENTER);
    // Enter on an empty answer is refused: there is nothing to accept.
    expect(await t.waitFor('must be a non-empty string')).toBeTruthy();
    await t.answer('', `lead@example.com${ENTER}`);
    await t.answer('The business problem', ENTER);
    expect(await t.waitFor('must be a non-empty string')).toBeTruthy();
    expect(t.screen()).not.toContain('Describe the business problem');
    await t.answer('', `Tickets wait.${ENTER}`);
    await t.answer('Success criterion', ENTER);
    await t.answer('Add another success criterion?', ENTER);
    await t.answer('Write shipshape.yaml?', `n${ENTER}`);
    const result = await run;
    expect([result.spec.metadata.owner, result.spec.business.problem]).toEqual(['lead@example.com', 'Tickets wait.']);
  });

  it('asks for the corpus when the task is rag, and writes the task block', async () => {
    const dir = tempDir();
    const t = terminal();
    const { task: _task, ...flags } = EVERY_FLAG_BUT_PROBLEM;
    const run = runInit(options(dir, t, { flags: { ...flags, problem: 'Answers wait a day.' } }));
    await t.answer('Success criterion', ENTER);
    await t.answer('Add another success criterion?', ENTER);
    await t.answer('Task: the kind of work', DOWN + ENTER);
    await t.answer('RAG: the folder of documents', `${BACKSPACE.repeat(6)}docs/help${ENTER}`);
    expect(await t.waitFor('Task        rag, answering from docs/help/')).toBeTruthy();
    await t.answer('Write shipshape.yaml?', ENTER);
    const result = await run;
    expect(result.spec.task).toMatchObject({ kind: 'rag', rag: { corpus: 'docs/help', citations: { min: 1 } } });
  });

  it('Ctrl-C at a question leaves nothing behind', async () => {
    const dir = tempDir();
    const t = terminal();
    const run = runInit(options(join(dir, 'svc'), t, { cwd: dir }));
    await t.answer('Service name', ENTER);
    await t.answer('What the service does', `half an answ${CTRL_C}`);
    await expect(run).rejects.toBeInstanceOf(InterruptedError);
    expect(existsSync(join(dir, 'svc'))).toBe(false);
  });

  it('Ctrl-C at the final confirmation, after every answer, still writes nothing', async () => {
    const dir = tempDir();
    const t = terminal();
    const flags = { ...EVERY_FLAG_BUT_PROBLEM };
    const run = runInit(options(dir, t, { flags }));
    await t.answer('The business problem', `Tickets wait.${ENTER}`);
    await t.answer('Success criterion: median_first_response_minutes <= 60', ENTER);
    await t.answer('Add another success criterion?', ENTER);
    await t.answer('Write shipshape.yaml?', CTRL_C);
    await expect(run).rejects.toBeInstanceOf(InterruptedError);
    expect(existsSync(join(dir, 'shipshape.yaml'))).toBe(false);
    expect(existsSync(join(dir, '.shipshape'))).toBe(false);
  });

  it('declining the summary writes nothing', async () => {
    const dir = tempDir();
    const t = terminal();
    const run = runInit(options(dir, t, { yes: true, flags: { baseline: '240' } }));
    // Under --yes only the answer without a default is asked: the target of a custom baseline.
    await t.answer('Its target', `60${ENTER}`);
    await t.answer('Write shipshape.yaml?', `n${ENTER}`);
    const result = await run;
    expect(result.written).toBe(false);
    expect(result.spec.business.metric.direction).toBe('decrease');
    expect(existsSync(join(dir, 'shipshape.yaml'))).toBe(false);
  });
});
