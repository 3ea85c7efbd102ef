import { describe, expect, it } from 'vitest';
import { plainPaint } from '../../../src/text/paint.js';
import { json } from '../../../src/check/formatters/json.js';
import type { CheckResult } from '../../../src/check/types.js';
import { AWKWARD, CWD, bigResult } from './fixture.js';

const options = { paint: plainPaint, cwd: CWD, version: '1.2.3' };

describe('the json format', () => {
  it('round-trips the result, files sorted, with the version on top', () => {
    const result = bigResult();
    const parsed = JSON.parse(json(result, options)) as CheckResult & { version: string };
    expect(Object.keys(parsed)).toEqual(['version', 'results', 'summary', 'rules', 'failed', 'exitCode']);
    expect(parsed.version).toBe('1.2.3');
    const byFile = [...result.results].sort((a, b) => a.file.localeCompare(b.file));
    expect(parsed.results.map((file) => file.file)).toEqual(byFile.map((file) => file.file));
    for (const file of byFile) {
      const out = parsed.results.find((candidate) => candidate.file === file.file)!;
      expect(out).toEqual({ ...file, findings: expect.any(Array) });
      expect(out.findings).toHaveLength(file.findings.length);
      expect(out.findings).toEqual(expect.arrayContaining(file.findings));
    }
    expect(parsed.summary).toEqual(result.summary);
    expect(parsed.rules).toEqual(result.rules);
    expect(parsed.failed).toBe(true);
    expect(parsed.exitCode).toBe(2);
    expect(parsed.results[1]!.findings.map((finding) => finding.message)).toContain(AWKWARD);
  });

  it('sorts findings by line and column, and leaves out fields nobody set', () => {
    const parsed = JSON.parse(json(bigResult(), options)) as CheckResult;
    const findings = parsed.results[1]!.findings;
    expect(findings.map((finding) => `${finding.range.line}:${finding.range.column}`)).toEqual(['3:1', '3:12', '12:7', '40:15', '100:2']);
    expect(Object.keys(findings[1]!)).toEqual(['ruleId', 'severity', 'message', 'file', 'range', 'path']);
  });

  it('keeps internal fields out of the output', () => {
    const result = bigResult();
    Object.assign(result.results[0]!.findings[0]!, { internal: 'cache' });
    Object.assign(result, { timings: { ms: 3 } });
    const text = json(result, options);
    expect(text).not.toContain('internal');
    expect(text).not.toContain('timings');
  });
});
