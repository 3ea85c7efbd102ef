/**
 * The questions of `init`, as plain data: the command builds its flags from them without loading
 * the schema, and src/init/answers.ts gives each its validation and default.
 */
export interface Question {
  message: string;
  /** The flag, when it is not the key in kebab-case. */
  flag?: string;
  /** The values the flag takes, for its help (the schema decides). */
  options?: readonly string[];
}

export const QUESTIONS = {
  name: { message: 'Service name (an id: lower-case letters, digits and dashes)' },
  description: { message: 'What the service does, in one line (optional)' },
  owner: { message: 'Owner: who answers for this service (an email or a handle)' },
  team: { message: 'Team (optional)' },
  tier: { message: 'Service tier', options: ['1', '2', '3'] },
  problem: { message: 'The business problem, in a sentence or two' },
  metric: { message: 'The business metric it moves (a metric name, e.g. median_first_response_minutes)' },
  metricDescription: { message: 'How the metric is measured (optional)' },
  baseline: { message: 'Its baseline: where the metric stands today' },
  target: { message: 'Its target: where this service should take it' },
  direction: { message: 'Which way is better for the metric', options: ['increase', 'decrease'] },
  availability: { message: 'Availability SLO: percent of requests answered without error' },
  windowDays: { message: 'SLO window in days' },
  p95Ms: { message: 'Latency SLO: p95 in milliseconds' },
  p99Ms: { message: 'Latency SLO: p99 in milliseconds' },
  peakRps: { message: 'Expected load: peak requests per second' },
  dailyRequests: { message: 'Expected load: requests per day' },
  task: { message: 'Task: the kind of work the service does', options: ['classify', 'rag', 'extract'] },
  corpus: { message: 'RAG: the folder of documents to answer from, relative to the spec' },
  extractSchema: { message: 'Extract: the JSON Schema file the output must be valid against, relative to the spec' },
  models: { message: 'Model tiers', options: ['tiered', 'single', 'none'] },
  fastModel: { message: 'Fast tier (local): model' },
  fastTimeoutMs: { message: 'Fast tier: timeout in milliseconds' },
  fastCost: { message: 'Fast tier: cost per request in USD' },
  strongModel: { message: 'Http tier: model' },
  endpoint: { message: 'Http tier: endpoint, as an environment reference' },
  apiKey: { message: 'Http tier: API key, as an environment reference like ${LLM_API_KEY} (optional: Enter for none)' },
  strongTimeoutMs: { message: 'Http tier: timeout in milliseconds' },
  strongCost: { message: 'Http tier: cost per request in USD' },
  confidenceBelow: { message: 'Cascade: escalate when the fast tier is less confident than (0 to 1)' },
  escalationRate: { message: 'Cascade: expected share of requests escalated (0 to 1)' },
  costPerRequest: { message: 'Budget: cost per request in USD' },
  monthlyBudget: { message: 'Budget: monthly spend in USD' },
  failureModeKinds: {
    message: 'Failure modes: what can go wrong in production',
    flag: 'failure-modes',
    options: ['upstream-failure', 'latency-spike', 'bad-output', 'bad-deploy', 'data-drift', 'cost-overrun', 'traffic-surge'],
  },
} as const satisfies Record<string, Question>;

export type ScalarKey = keyof typeof QUESTIONS;

/** The kebab-case flag of an answer: `p95Ms` -> `p95-ms`. */
export function flagOf(key: ScalarKey): string {
  const question: Question = QUESTIONS[key];
  return question.flag ?? key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
}

/** The answers in the order they are asked. */
export const SCALAR_KEYS = Object.keys(QUESTIONS) as ScalarKey[];
