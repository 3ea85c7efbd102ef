import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../../src/check/check-file.js';
import { EXAMPLE, tempDir } from '../../helpers/temp.js';

const example = readFileSync(EXAMPLE, 'utf8');
const today = new Date('2026-11-24T12:00:00Z');

async function findings(text: string) {
  const file = join(tempDir(), 'shipshape.yaml');
  writeFileSync(file, text);
  return (await checkFile(file, 'shipshape.yaml', { today })).findings;
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('rule findings in a real file', () => {
  it('the reference example has none', async () => {
    expect(await findings(example)).toEqual([]);
  });

  it('are located at the field a rule points at', async () => {
    const text = example
      .replace('fault: { target: strong, type: latency', 'fault: { target: stronk, type: latency')
      .replace('  timeoutMs: 2000 ', '  timeoutMs: 1800 ')
      .replace(/owner: support-ai-lead@example.com\n$/, 'owner: TBD\n');
    const found = await findings(text);
    const at = (ruleId: string) => found.filter((finding) => finding.ruleId === ruleId).map((finding) => finding.range.line);
    expect(at('references')).toEqual([lineOf(text, 'target: stronk')]);
    expect(at('latency-budget')).toEqual([lineOf(text, 'timeoutMs: 1800')]);
    // The first owner: is metadata.owner; review.owner is the last line.
    expect(at('review-owner')).toEqual([text.trimEnd().split('\n').length]);
  });

  it('never echo a secret into a finding', async () => {
    const key = ['sk-', 'proj-', 'aB3dE5gH7jK9mN1pQ2rS4tU6vW8xY0zA'].join('');
    const text = example.replace('team: support-platform', `team: "support-platform ${key}"`);
    const found = await findings(text);
    const secret = found.find((finding) => finding.ruleId === 'no-secrets');
    expect(secret?.range.line).toBe(lineOf(text, 'team: '));
    expect(secret?.range.column).toBe(text.split('\n')[secret!.range.line - 1]!.indexOf(key) + 1);
    expect(JSON.stringify(found)).not.toContain(key);
    expect(JSON.stringify(found)).not.toContain(key.slice(8, 16));
  });
});
