import { ENV_REF_PATTERN } from '../../spec/schema.js';
import { formatPath } from '../../spec/doc-path.js';
import { defineRule } from './util.js';
import type { RuleReport } from '../types.js';

interface Detector {
  kind: string;
  pattern: RegExp;
  /** The capture group holding the secret itself, when the match carries context around it. */
  group?: number;
  /** Rejects matches that only look like secrets (a model name with a key-like prefix, an env reference). */
  accept?: (secret: string) => boolean;
}

/** Random tokens mix letters and digits; words and model names joined by dashes rarely do. */
const looksRandom = (secret: string) => /\d/.test(secret) && /[a-z]/.test(secret) && /[A-Z]/.test(secret);

// Order matters: the first detector to claim a span names it (sk-ant- before sk-).
const DETECTORS: readonly Detector[] = [
  { kind: 'private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g },
  { kind: 'Anthropic API key', pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { kind: 'Stripe live secret key', pattern: /\b[rs]k_live_[0-9A-Za-z]{16,}/g },
  { kind: 'OpenAI API key', pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g, accept: looksRandom },
  { kind: 'AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { kind: 'GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/g },
  { kind: 'Slack token', pattern: /\bxox[abpr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}/g },
  { kind: 'JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g },
  {
    kind: 'password in a URL',
    pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]+:([^\s/?#@]+)@/gi,
    group: 1,
    accept: (secret) => !ENV_REF_PATTERN.test(secret),
  },
  { kind: 'bearer token', pattern: /\bBearer\s+([A-Za-z0-9._~+/-]{16,}=*)/g, group: 1 },
];

/**
 * Every detector needs one of these markers, so most strings (names, descriptions, PromQL) are
 * passed over with one scan instead of eleven. A test keeps it in step with DETECTORS.
 */
export const SECRET_MARKERS = /PRIVATE KEY|sk-|k_live_|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abpr]-|AIza|eyJ|:\/\/[^\s]*@|Bearer/i;

/** Shows a quarter of the secret at most, and never more than 4 characters of it. */
export function mask(secret: string): string {
  const visible = Math.min(4, Math.floor(secret.length / 4));
  return `${secret.slice(0, visible)}${'*'.repeat(Math.min(Math.max(secret.length - visible, 4), 12))}`;
}

export interface SecretMatch {
  kind: string;
  masked: string;
}

/** The secrets in one string, masked. */
export function findSecrets(value: string): SecretMatch[] {
  if (!SECRET_MARKERS.test(value)) return [];
  const claimed: Array<[number, number]> = [];
  const found: Array<SecretMatch & { at: number }> = [];
  for (const detector of DETECTORS) {
    for (const match of value.matchAll(detector.pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      const secret = detector.group === undefined ? match[0] : (match[detector.group] ?? match[0]);
      if (detector.accept && !detector.accept(secret)) continue;
      if (claimed.some(([from, to]) => start < to && end > from)) continue;
      claimed.push([start, end]);
      // A key block's header is not the secret: name it, and show none of the key.
      found.push({ kind: detector.kind, masked: detector.kind === 'private key' ? match[0] : mask(secret), at: start });
    }
  }
  return found.sort((a, b) => a.at - b.at).map(({ kind, masked }) => ({ kind, masked }));
}

export const noSecrets = defineRule({
  id: 'no-secrets',
  description: 'No secret in any string of the spec: API keys and tokens, private keys, passwords in URLs, bearer tokens.',
  defaultSeverity: 'error',
  stage: 1,
  rationale:
    'The spec is committed, reviewed, copied into CI logs and rendered into generated files and runbooks. A key pasted into it is leaked to everyone who can read the repository, and stays in its history after it is deleted.',
  hint: 'Reference the secret as ${ENV_VAR} and set the variable at deploy time; rotate the exposed secret, since it is in the history now.',
  examples: {
    pass: `models:
  tiers:
    - { name: strong, kind: http, endpoint: '\${LLM_URL}', apiKey: '\${LLM_API_KEY}', model: gpt-4o-mini, timeoutMs: 900, costPerRequestUsd: 0.004 }`,
    fail: `business:
  problem: "Call https://triage:hunter2-prod@llm.internal.example.com with Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"`,
  },
  messages: {
    secret: '{{where}} holds what looks like {{article}} {{kind}} ({{masked}}): secrets never go in the spec.',
  },
  check(context) {
    const reports: RuleReport[] = [];
    for (const { path, value } of context.strings()) {
      for (const secret of findSecrets(value)) {
        reports.push({
          path,
          messageId: 'secret',
          data: {
            where: formatPath(path) || 'A value',
            article: /^[aeiou]/i.test(secret.kind) ? 'an' : 'a',
            kind: secret.kind,
            masked: secret.masked,
          },
        });
      }
    }
    return reports;
  },
});
