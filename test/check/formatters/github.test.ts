import { describe, expect, it } from 'vitest';
import { github } from '../../../src/check/formatters/github.js';
import { plainPaint } from '../../../src/text/paint.js';
import type { CheckResult, Finding } from '../../../src/check/types.js';
import { AWKWARD, CWD, allFindings, bigResult, cleanResult } from './fixture.js';

const options = { paint: plainPaint, cwd: CWD, version: '1.2.3' };

// The runner's own un-escaping: `%25` last, so an escaped `%0A` does not turn into a newline.
const unescapeData = (value: string) => value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (value: string) => unescapeData(value.replace(/%3A/g, ':').replace(/%2C/g, ','));

interface Command {
  command: string;
  properties: Record<string, string>;
  message: string;
}

function parseCommand(line: string): Command {
  const match = /^::(\w+) ([^:]*)::(.*)$/.exec(line);
  if (!match) throw new Error(`not a workflow command: ${line}`);
  const properties: Record<string, string> = {};
  for (const pair of match[2]!.split(',')) {
    const eq = pair.indexOf('=');
    properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
  }
  return { command: match[1]!, properties, message: unescapeData(match[3]!) };
}

function render(result: CheckResult): { commands: Command[]; summary: string } {
  const lines = github(result, options).split('\n');
  expect(lines.pop()).toBe('');
  const summary = lines.pop()!;
  return { commands: lines.map(parseCommand), summary };
}

const expectedMessage = (finding: Finding) =>
  finding.exception
    ? `${finding.message} (waived: ${finding.exception.reason} (owner: ${finding.exception.owner}, expires ${finding.exception.expires}))`
    : finding.hint
      ? `${finding.message}\nTry this: ${finding.hint}`
      : finding.message;

describe('the github format', () => {
  it('writes one annotation per finding whose every field round-trips', () => {
    const result = bigResult();
    const findings = allFindings(result);
    const { commands } = render(result);
    expect(commands).toHaveLength(findings.length);
    commands.forEach((command, i) => {
      const finding = findings[i]!;
      expect(command.properties).toEqual({
        file: finding.file,
        line: String(finding.range.line),
        col: String(finding.range.column),
        endLine: String(finding.range.endLine),
        endColumn: String(finding.range.endColumn),
        title: `shipshape ${finding.ruleId}`,
      });
      expect(command.message).toBe(expectedMessage(finding));
    });
    expect(commands.find((c) => c.properties['title'] === 'shipshape latency-budget')!.message).toContain(AWKWARD);
  });

  it('maps severities to error, warning and notice, and waived findings to notice', () => {
    const { commands } = render(bigResult());
    expect(commands.map((c) => [c.properties['title'], c.command])).toEqual([
      ['shipshape cost-budget', 'warning'],
      ['shipshape review-owner', 'notice'],
      ['shipshape latency-budget', 'error'],
      ['shipshape no-secrets', 'notice'],
      ['shipshape policy-required', 'warning'],
      ['shipshape parse', 'error'],
    ]);
    expect(commands[3]!.message).toContain('(waived: Test key, rotated: see SEC-12, 100% (owner: team-ml');
  });

  it('escapes data and property values the way the runner reads them', () => {
    const result = bigResult();
    result.results[0]!.findings[0]!.file = 'odd,dir/a:b%41.yaml';
    const text = github(result, options);
    expect(text).toContain('file=odd%2Cdir/a%3Ab%2541.yaml,');
    expect(text).toContain('::Retry "budget" <&> \'x\': 10%25, then%0Amore::here, 50%250A%0ATry this:');
    expect(text).toContain('second line%0ATry this: Indent with spaces.');
    const line = text.split('\n').find((l) => l.includes('odd%2Cdir'))!;
    expect(parseCommand(line).properties['file']).toBe('odd,dir/a:b%41.yaml');
  });

  it('gives paths relative to the working directory', () => {
    const result = bigResult();
    result.results[0]!.findings[0]!.file = `${CWD}/services/b/shipshape.yaml`;
    const files = render(result).commands.map((c) => c.properties['file']);
    expect(files).not.toContain(`${CWD}/services/b/shipshape.yaml`);
    expect(files.filter((file) => file === 'services/b/shipshape.yaml')).toHaveLength(5);
  });

  it('ends with a plain summary line', () => {
    expect(render(bigResult()).summary).toBe(
      'shipshape: 5 problems (2 errors, 2 warnings, 1 info), 1 waived by policy exceptions; 1 file could not be read',
    );
    const clean = github(cleanResult(), options);
    expect(clean).toBe('shipshape: 2 specs checked, no problems\n');
  });
});
