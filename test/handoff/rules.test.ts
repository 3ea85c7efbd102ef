/**
 * The Prometheus rules of stage 7 as promtool sees them: `promtool check rules` accepts the file,
 * and `promtool test rules` proves every alert fires on its synthetic series and stays silent on
 * healthy ones; on the reference example and on a spec with other failure modes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { alertsOf } from '../../src/handoff/alerts.js';
import { renderRules, renderRulesTests } from '../../src/handoff/rules.js';
import type { Spec } from '../../src/spec/schema.js';
import { specOf } from '../design/helpers.js';
import { EXAMPLE, ROOT, tempDir } from '../helpers/temp.js';

const OTHER_MODES = join(ROOT, 'test', 'fixtures', 'handoff', 'other-modes.yaml');
const specs: [string, Spec][] = [
  ['the reference example', specOf(readFileSync(EXAMPLE, 'utf8'))],
  ['a spec with other failure modes', specOf(readFileSync(OTHER_MODES, 'utf8'))],
];

/** promtool on the rules, against the tests of every alert, or only those of the alerts named in `only`. */
async function promtool(spec: Spec, rules = renderRules(spec, 'shipshape.yaml'), only?: string[]) {
  const dir = tempDir();
  let tests = renderRulesTests(spec, 'shipshape.yaml');
  if (only) {
    const document = parse(tests) as { tests: { alert_rule_test: { alertname: string }[] }[] };
    document.tests = document.tests.filter((group) => group.alert_rule_test.some((test) => only.includes(test.alertname)));
    expect(document.tests.length).toBeGreaterThan(0);
    tests = stringify(document);
  }
  writeFileSync(join(dir, 'prometheus-rules.yaml'), rules);
  writeFileSync(join(dir, 'prometheus-rules.test.yaml'), tests);
  const check = await execa('promtool', ['check', 'rules', 'prometheus-rules.yaml'], { cwd: dir, reject: false, all: true });
  const test = await execa('promtool', ['test', 'rules', 'prometheus-rules.test.yaml'], { cwd: dir, reject: false, all: true });
  return { check, test };
}

describe.each(specs)('the rules of %s', (_name, spec) => {
  it('pass promtool check rules and promtool test rules', async () => {
    const { check, test } = await promtool(spec);
    expect(check.exitCode, check.all).toBe(0);
    expect(test.exitCode, test.all).toBe(0);
  }, 120_000);

  it('fail promtool test rules when an alert cannot fire (the tests can fail)', async () => {
    const rules = renderRules(spec, 'shipshape.yaml');
    const [fast] = alertsOf(spec);
    // The fast availability burn with a threshold no ratio reaches: its firing test must fail.
    const broken = rules.replace(fast!.expr, fast!.expr.replaceAll(/> [0-9.]+/g, '> 2'));
    expect(broken).not.toBe(rules);
    // Only the groups that test this alert: the others cannot fail on it, and the drift groups take seconds of promtool's time.
    const { test } = await promtool(spec, broken, [fast!.name]);
    expect(test.exitCode).toBe(1);
    expect(test.all).toContain(`alertname: ${fast!.name}`);
  }, 120_000);

  it('carry a runbook_url to a section anchor on every alert, and test every alert', () => {
    const rules = parse(renderRules(spec, 'shipshape.yaml')) as {
      groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[];
    };
    const alerts = rules.groups.flatMap((group) => group.rules).filter((rule) => rule.alert !== undefined);
    expect(alerts.length).toBe(alertsOf(spec).length);
    for (const alert of alerts) expect(alert.annotations?.['runbook_url']).toMatch(/#alert-[a-z0-9]+$/);
    const tests = parse(renderRulesTests(spec, 'shipshape.yaml')) as {
      tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const fired = new Set(tests.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    const silent = new Set(tests.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length === 0).map((a) => a.alertname)));
    for (const alert of alertsOf(spec)) {
      expect(fired, alert.name).toContain(alert.name);
      expect(silent, alert.name).toContain(alert.name);
    }
  });
});
