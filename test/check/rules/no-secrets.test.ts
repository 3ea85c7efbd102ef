import { describe, expect, it } from 'vitest';
import { noSecrets } from '../../../src/check/rules/no-secrets.js';
import { findSecrets, mask, maskSecrets } from '../../../src/text/secrets.js';
import { example, run } from './helpers.js';

// Fake secrets are assembled at run time, so that secret scanners do not flag this file.
const random = 'aB3dE5gH7jK9mN1pQ2rS4tU6vW8xY0zA1bC3dE5fG7hJ9kL2';
const join = (...parts: string[]) => parts.join('');
const SECRETS: Array<[kind: string, secret: string, prefix: string]> = [
  ['OpenAI API key', join('sk-', random), 'sk-'],
  ['OpenAI API key', join('sk-', 'proj-', random), 'sk-proj-'],
  ['Anthropic API key', join('sk-', 'ant-', 'api03-', random), 'sk-ant-'],
  ['AWS access key id', join('AKIA', 'IOSFODNN7EXAMPLE'), 'AKIA'],
  ['GitHub token', join('ghp', '_', random.slice(0, 36)), 'ghp_'],
  ['GitHub token', join('gho', '_', random.slice(0, 36)), 'gho_'],
  ['GitHub token', join('github', '_pat_', random), 'github_pat_'],
  ['Slack token', join('xox', 'b-', '1234567890-', random.slice(0, 24)), 'xoxb-'],
  ['Google API key', join('AI', 'za', random.slice(0, 35)), 'AIza'],
  ['Stripe live secret key', join('sk', '_live_', random.slice(0, 24)), 'sk_live_'],
  ['JSON Web Token', join('eyJ', 'hbGciOiJIUzI1NiJ9', '.eyJ', 'zdWIiOiIxMjM0NTY3ODkwIn0', '.', random.slice(0, 20)), 'eyJ'],
];

describe('no-secrets', () => {
  it('passes the reference example: emails, ${TRIAGE_LLM_URL}, model names', () => {
    expect(run(noSecrets, example())).toEqual([]);
  });

  it.each(SECRETS)('finds a %s, names its kind and never echoes it', (kind, secret, prefix) => {
    const spec = example();
    spec.business.problem = `Tickets wait; our key is ${secret} for now.`;
    const reports = run(noSecrets, spec);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      path: ['business', 'problem'],
      messageId: 'secret',
      data: { where: 'business.problem', kind, masked: `${prefix}…${secret.slice(-4)}` },
    });
    // Nowhere in the report, rendered message and hint included: only the public prefix and the last 4.
    expect(JSON.stringify(reports[0])).not.toContain(secret);
    expect(JSON.stringify(reports[0])).not.toContain(secret.slice(prefix.length, prefix.length + 6));
    expect(JSON.stringify(reports[0])).not.toContain(secret.slice(-5));
  });

  it('finds a private key block without showing any of the key', () => {
    const spec = example();
    const body = random.repeat(2);
    spec.handoff!.escalation![1] = join('-----BEGIN RSA ', 'PRIVATE KEY-----\n', body, '\n-----END RSA PRIVATE KEY-----');
    const [report] = run(noSecrets, spec);
    expect(report!.path).toEqual(['handoff', 'escalation', 1]);
    expect(report).toMatchObject({ messageId: 'secret', data: { kind: 'private key', masked: '-----BEGIN RSA PRIVATE KEY-----…' } });
    expect(JSON.stringify(report)).not.toContain(body.slice(0, 6));
  });

  it('finds a password in a URL and a bearer token, masking the secret part', () => {
    const spec = example();
    spec.metadata.description = 'Calls https://triage:hunter2-prod-pw@llm.internal.example.com/v1';
    spec.deploy!.kubernetes!.image = `curl -H "Authorization: Bearer ${random}" ghcr.io/example/x`;
    const reports = run(noSecrets, spec);
    expect(reports.map((report) => report.path)).toEqual([
      ['metadata', 'description'],
      ['deploy', 'kubernetes', 'image'],
    ]);
    expect(reports).toMatchObject([
      { messageId: 'secret', data: { kind: 'password in a URL', masked: '…pw' } },
      { messageId: 'secret', data: { kind: 'bearer token', masked: '…9kL2' } },
    ]);
    expect(JSON.stringify(reports[0])).not.toContain('hunter2');
    expect(JSON.stringify(reports[1])).not.toContain(random.slice(0, 5));
  });

  it('knows the other key headers and token prefixes', () => {
    const kinds = (value: string) => findSecrets(value).map((found) => found.kind);
    expect(kinds(join('-----BEGIN ', 'PRIVATE KEY-----'))).toEqual(['private key']);
    expect(kinds(join('-----BEGIN OPENSSH ', 'PRIVATE KEY-----'))).toEqual(['private key']);
    expect(kinds(join('ASIA', 'IOSFODNN7EXAMPLE'))).toEqual(['AWS access key id']);
    expect(kinds(join('ghs', '_', random.slice(0, 36)))).toEqual(['GitHub token']);
    expect(kinds(join('rk', '_live_', random.slice(0, 24)))).toEqual(['Stripe live secret key']);
    expect(kinds(join('xox', 'p-', random.slice(0, 24)))).toEqual(['Slack token']);
  });

  it('reports every secret in a string once, under the most specific kind', () => {
    const anthropic = join('sk-', 'ant-', 'api03-', random);
    const jwt = join('eyJ', 'hbGciOiJIUzI1NiJ9', '.eyJ', 'zdWIiOiIxMjM0NTY3ODkwIn0', '.sig');
    expect(findSecrets(`${anthropic} and Bearer ${jwt}`).map((found) => found.kind)).toEqual(['Anthropic API key', 'JSON Web Token']);
  });

  it('does not flag look-alikes: env references, prose, model names', () => {
    for (const value of [
      '${TRIAGE_LLM_URL}',
      'postgres://triage:${DB_PASSWORD}@db.internal:5432/triage',
      'https://docs.example.com/a:b@c',
      'Bearer tokens are rotated weekly by the platform team.',
      'sk-learn-keyword-router-classifier-v1',
      'task-router-with-a-very-long-descriptive-name',
      'support-ai-lead@example.com',
      'gpt-4o-mini',
      'AKIA-not-a-key',
    ]) {
      expect(findSecrets(value), value).toEqual([]);
    }
  });

  it('masks to the public prefix and at most the last 4 characters (2 of a middling secret, none of a short one)', () => {
    expect(mask('sk-proj-abcdefghijklmnopqrstuvwxyz', 'sk-proj-')).toBe('sk-proj-…wxyz');
    expect(mask('hunter2-prod', '')).toBe('…od');
    expect(mask('hunter2', '')).toBe('…');
  });

  it('masks every secret in any text, the known ones even where no detector would see them', () => {
    const key = join('sk-', 'proj-', random);
    expect(maskSecrets(`duplicate key "${key}": a key may appear once`)).toBe(`duplicate key "sk-proj-…9kL2": a key may appear once`);
    // A password seen in its URL is masked when a message quotes it alone.
    const [password] = findSecrets('postgres://triage:hunter2-prod-pw@db');
    expect(maskSecrets('unknown key "hunter2-prod-pw"', [password!])).toBe('unknown key "…pw"');
    expect(maskSecrets('nothing to hide here')).toBe('nothing to hide here');
  });
});
