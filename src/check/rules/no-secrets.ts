import { secretWhere, specSecrets } from '../../spec/secrets.js';
import { withArticle } from '../../fs/read.js';
import { defineRule } from './util.js';

const capitalized = (where: string) => (/^(?:a|the) /.test(where) ? `${where[0]!.toUpperCase()}${where.slice(1)}` : where);

export const noSecrets = defineRule({
  id: 'no-secrets',
  description:
    "No secret anywhere in the spec's text (values, keys and comments, even in a file that does not parse): API keys and tokens, private keys, passwords in URLs, bearer tokens.",
  defaultSeverity: 'error',
  stage: 1,
  rationale:
    'The spec is committed, reviewed, copied into CI logs and rendered into generated files and runbooks. A key pasted into it is leaked to everyone who can read the repository, and stays in its history after it is deleted: in a comment or in a file that does not parse as much as in a value. `design`, `generate`, `validate`, `deploy`, `runbook` and `review` refuse a spec that fails this rule, and no output of shipshape shows a secret it detects in full.',
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
  input: 'text',
  check({ source }) {
    return specSecrets(source).map((secret) => ({
      path: secret.path ?? [],
      range: secret.range,
      messageId: 'secret' as const,
      data: {
        where: capitalized(secretWhere(secret)),
        article: withArticle(secret.kind).split(' ')[0]!,
        kind: secret.kind,
        masked: secret.masked,
      },
    }));
  },
});
