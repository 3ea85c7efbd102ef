import { describe, expect, it } from 'vitest';
import { FIELDS, MODEL_PRESETS, roundUpNicely, toId } from '../../src/init/answers.js';
import { buildSpec, completeAnswers, renderSpec, SCHEMA_LINE } from '../../src/init/build.js';
import { flagOf, QUESTIONS, SCALAR_KEYS, type Question } from '../../src/init/questions.js';
import { loadSpecText } from '../../src/spec/load.js';
import { DIRECTIONS, FAILURE_MODE_KINDS, TIERS } from '../../src/spec/schema.js';

const draft = {
  name: 'svc',
  owner: 'me',
  tier: 1,
  problem: 'A problem: with a colon, and "quotes" that need escaping in YAML.',
  metric: 'accuracy',
  baseline: 0.8,
  target: 0.9,
  direction: 'increase',
  availability: 99.9,
  windowDays: 30,
  p95Ms: 800,
  p99Ms: 1600,
  peakRps: 5,
  dailyRequests: 1000,
  models: 'tiered',
  confidenceBelow: 0.7,
  escalationRate: 0.2,
  costPerRequest: 0.001,
  monthlyBudget: 100,
  failureModeKinds: [...FAILURE_MODE_KINDS],
} as const;

describe('answers -> spec text (pure)', () => {
  it('renders a spec that loads back to itself with no diagnostics', () => {
    const spec = buildSpec(completeAnswers({ ...draft, failureModeKinds: [...FAILURE_MODE_KINDS] }));
    const text = renderSpec(spec);
    const loaded = loadSpecText('shipshape.yaml', text);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.spec).toEqual(spec);
    expect(text.startsWith(`${SCHEMA_LINE}\n`)).toBe(true);
    expect(spec.failureModes?.map((m) => m.id)).toEqual([...FAILURE_MODE_KINDS]);
  });

  it('comments each section once, and each list key on its first item only', () => {
    const text = renderSpec(buildSpec(completeAnswers({ ...draft, failureModeKinds: [...FAILURE_MODE_KINDS] })));
    for (const section of ['metadata', 'business', 'slo', 'models', 'failureModes']) {
      expect(text).toMatch(new RegExp(`^${section}: # \\S`, 'm'));
    }
    expect(text.match(/# low \| medium \| high/g)).toHaveLength(1);
    expect(text.match(/kind: \S+ # /g)).toHaveLength(2); // the first tier, the first failure mode
    // Sections are separated by a blank line; long text is never folded.
    expect(text).toMatch(/\n\nslo: /);
    expect(text.split('\n').find((l) => l.includes('problem:'))).toContain('need escaping in YAML.');
  });

  it('rounds derived money up to two significant digits', () => {
    expect(roundUpNicely(0.0012 * 1.25)).toBe(0.0015);
    expect(roundUpNicely(9720)).toBe(9800);
    expect(roundUpNicely(0.00501)).toBe(0.0051);
    expect(roundUpNicely(0)).toBe(0);
  });

  it('makes ids of folder names', () => {
    expect(toId('My Service_2')).toBe('my-service-2');
    expect(toId('--')).toBe('');
  });
});

describe('the questions', () => {
  it('have kebab-case flags and one field each', () => {
    expect(SCALAR_KEYS.map(flagOf)).toContain('p95-ms');
    expect(SCALAR_KEYS.map(flagOf)).toContain('failure-modes');
    expect(FIELDS.map((f) => f.key)).toEqual(SCALAR_KEYS);
    for (const flag of SCALAR_KEYS.map(flagOf)) expect(flag).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  });

  it('list the options the schema accepts, for the flag help', () => {
    const options = (key: keyof typeof QUESTIONS) => (QUESTIONS[key] as Question).options;
    expect(options('failureModeKinds')).toEqual([...FAILURE_MODE_KINDS]);
    expect(options('direction')).toEqual([...DIRECTIONS]);
    expect(options('tier')).toEqual(TIERS.map(String));
    expect(options('models')).toEqual([...MODEL_PRESETS]);
  });
});
