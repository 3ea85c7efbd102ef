/** The reference example's answers to `init`, as flags: one home for the init tests (flags alone, and the prompts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { InitOptions } from '../../src/init/run.js';
import { loadSpecText } from '../../src/spec/load.js';
import { ROOT } from '../helpers/temp.js';

/** runInit's options for a project in `dir`, without a terminal. */
export function options(dir: string, extra: Partial<InitOptions> = {}): InitOptions {
  return { dir: '.', cwd: dir, interactive: false, packageRoot: ROOT, ...extra };
}

/** The spec init wrote in `dir`: its text, and its data, which must be a valid spec. */
export function written(dir: string) {
  const text = readFileSync(join(dir, 'shipshape.yaml'), 'utf8');
  const loaded = loadSpecText('shipshape.yaml', text);
  expect(loaded.diagnostics).toEqual([]);
  return { text, spec: loaded.spec! };
}

/** Stage 1 of the example, without the problem and the optional texts. */
export const STAGE_ONE_FLAGS = {
  name: 'support-triage',
  owner: 'lead@example.com',
  tier: '1',
  metric: 'median_first_response_minutes',
  baseline: '240',
  target: '60',
  direction: 'decrease',
  availability: '99.9',
  windowDays: '30',
  p95Ms: '1200',
  p99Ms: '2500',
  peakRps: '40',
  dailyRequests: '200000',
  costPerRequest: '0.002',
  monthlyBudget: '10000',
} as const;

/** The example's two tiers: the local classifier and the hosted LLM it escalates to. */
export const TIERED_FLAGS = {
  models: 'tiered',
  fastModel: 'keyword-router-v1',
  fastTimeoutMs: '50',
  fastCost: '0',
  strongModel: 'gpt-4o-mini',
  endpoint: '${TRIAGE_LLM_URL}',
  strongTimeoutMs: '900',
  strongCost: '0.004',
  confidenceBelow: '0.75',
  escalationRate: '0.35',
} as const;
