import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPolicy, loadPolicy, POLICY_FILE, POLICY_RULES, type ResolvedPolicy } from '../../src/check/policy.js';
import { RULE_META } from '../../src/check/rules/index.js';
import { loadSpecText } from '../../src/spec/load.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';
import { rejection } from '../helpers/errors.js';

const KNOWN = [...RULE_META, ...POLICY_RULES].map((rule) => rule.id);
const example = readFileSync(EXAMPLE, 'utf8');

function write(dir: string, file: string, lines: string | string[]): string {
  const path = join(dir, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Array.isArray(lines) ? `${lines.join('\n')}\n` : lines);
  return path;
}

const load = (file: string) => loadPolicy(file, { knownRuleIds: KNOWN });

/** The policy's requirement findings for the example spec, edited by `edit`. */
function requirementsFor(policy: ResolvedPolicy, dir: string, edit: (text: string) => string = (t) => t) {
  const loaded = loadSpecText('shipshape.yaml', edit(example));
  expect(loaded.diagnostics).toEqual([]);
  return policy.requirements(loaded.spec!, loaded.parsed, join(dir, 'shipshape.yaml'), 'shipshape.yaml');
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('findPolicy', () => {
  it('walks up from a nested folder to the nearest policy file', () => {
    const dir = tempDir();
    const policy = write(dir, POLICY_FILE, ['rules: {}']);
    mkdirSync(join(dir, 'services', 'search', 'src'), { recursive: true });
    expect(findPolicy(join(dir, 'services', 'search', 'src'))).toBe(policy);
    const nearer = write(dir, `services/${POLICY_FILE}`, ['rules: {}']);
    expect(findPolicy(join(dir, 'services', 'search', 'src'))).toBe(nearer);
  });

  it('finds nothing when no folder above holds one, and skips a folder of that name', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'a', POLICY_FILE), { recursive: true });
    expect(findPolicy(join(dir, 'a'))).toBeUndefined();
  });

  it('remembers every folder on the way up in a shared cache, found or not', () => {
    const dir = tempDir();
    const policy = write(dir, POLICY_FILE, ['rules: {}']);
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    mkdirSync(join(dir, 'c'), { recursive: true });
    const cache = new Map<string, string | undefined>();
    expect(findPolicy(join(dir, 'a', 'b'), cache)).toBe(policy);
    expect([...cache.keys()]).toEqual([join(dir, 'a', 'b'), join(dir, 'a'), dir]);
    // A sibling stops at the first cached folder: only its own folder is new.
    expect(findPolicy(join(dir, 'c'), cache)).toBe(policy);
    expect(cache.size).toBe(4);
  });
});

describe('loadPolicy: rules and overrides', () => {
  it('sets severities and turns rules off; a rule it does not name keeps its default', async () => {
    const dir = tempDir();
    const policy = await load(write(dir, POLICY_FILE, ['rules:', '  cost-budget: warn', '  review-owner: off']));
    const spec = join(dir, 'shipshape.yaml');
    expect(policy.settingFor('cost-budget', spec)).toBe('warn');
    expect(policy.settingFor('review-owner', spec)).toBe('off');
    expect(policy.settingFor('tier1-rollback', spec)).toBeUndefined();
    expect(policy.sources).toEqual([join(dir, POLICY_FILE)]);
  });

  it('refuses a severity that does not exist, at its place', async () => {
    const dir = tempDir();
    const file = write(dir, POLICY_FILE, ['rules:', '  cost-budget: fatal']);
    const error = await rejection(load(file));
    expect(error.located).toBe(`${file}:2:16 rules.cost-budget must be one of error, warn, info, off`);
    expect(error.exitCode).toBe(2);
  });

  it('applies overrides by glob relative to the policy folder, later entries winning', async () => {
    const dir = tempDir();
    const policy = await load(
      write(dir, POLICY_FILE, [
        'rules: { tier1-rollback: error, cost-budget: error }',
        'overrides:',
        '  - files: ["experiments/**"]',
        '    rules: { tier1-rollback: off, cost-budget: warn }',
        '  - files: experiments/strict/**',
        '    rules: { cost-budget: error }',
        '  - files: [services/search]',
        '    rules: { cost-budget: info }',
      ]),
    );
    expect(policy.settingFor('tier1-rollback', join(dir, 'experiments', 'a', 'shipshape.yaml'))).toBe('off');
    expect(policy.settingFor('cost-budget', join(dir, 'experiments', 'a', 'shipshape.yaml'))).toBe('warn');
    expect(policy.settingFor('cost-budget', join(dir, 'experiments', 'strict', 'shipshape.yaml'))).toBe('error');
    expect(policy.settingFor('tier1-rollback', join(dir, 'services', 'a', 'shipshape.yaml'))).toBe('error');
    // A glob naming a folder covers the specs inside it.
    expect(policy.settingFor('cost-budget', join(dir, 'services', 'search', 'api', 'shipshape.yaml'))).toBe('info');
    // A spec outside the policy folder never matches, even where its path looks alike.
    expect(policy.settingFor('tier1-rollback', join(dirname(dir), 'experiments', 'a', 'shipshape.yaml'))).toBe('error');
  });

  it('refuses a glob that leaves the policy folder', async () => {
    const dir = tempDir();
    const file = write(dir, POLICY_FILE, ['overrides:', '  - files: ["../other/**"]', '    rules: { cost-budget: off }']);
    const error = await rejection(load(file));
    expect(error.located).toMatch(new RegExp(`^${file}:2:13 overrides\\[0\\]\\.files\\[0\\] must stay inside`));
  });
});

describe('loadPolicy: extends', () => {
  it('merges a relative base first: rules key by key, lists concatenated, globs relative to their own file', async () => {
    const dir = tempDir();
    write(dir, 'org/base.yaml', [
      'rules: { cost-budget: error, review-owner: warn }',
      'overrides:',
      '  - files: ["**"]',
      '    rules: { review-owner: info }',
      'require:',
      '  - { field: slo.windowDays, present: true }',
    ]);
    const root = write(dir, POLICY_FILE, [
      'extends: ./org/base.yaml',
      'rules: { cost-budget: warn }',
      'require:',
      '  - { field: resilience.timeoutMs, max: 1000 }',
    ]);
    const policy = await load(root);
    expect(policy.sources).toEqual([root, join(dir, 'org', 'base.yaml')]);
    const spec = join(dir, 'services', 'a', 'shipshape.yaml');
    expect(policy.settingFor('cost-budget', spec)).toBe('warn');
    // The base's glob is relative to org/, so it covers org/** only.
    expect(policy.settingFor('review-owner', spec)).toBe('warn');
    expect(policy.settingFor('review-owner', join(dir, 'org', 'x', 'shipshape.yaml'))).toBe('info');
    const findings = requirementsFor(policy, dir, (t) => t.replace('  windowDays: 30\n', ''));
    expect(findings.map((f) => f.message)).toEqual([
      'slo.windowDays is required by policy',
      'resilience.timeoutMs is 2000; policy requires at most 1000',
    ]);
  });

  it('merges a list of bases in order, and a base reached twice counts once', async () => {
    const dir = tempDir();
    write(dir, 'common.yaml', ['require:', '  - { field: slo.availability, min: 99.99 }']);
    write(dir, 'a.yaml', ['extends: ./common.yaml', 'rules: { cost-budget: info, review-owner: info }']);
    write(dir, 'b.yaml', ['extends: [./common.yaml]', 'rules: { cost-budget: warn }']);
    const root = write(dir, POLICY_FILE, ['extends: [./a.yaml, ./b.yaml]', 'rules: { review-owner: error }']);
    const policy = await load(root);
    const spec = join(dir, 'shipshape.yaml');
    expect(policy.settingFor('cost-budget', spec)).toBe('warn');
    expect(policy.settingFor('review-owner', spec)).toBe('error');
    expect(requirementsFor(policy, dir)).toHaveLength(1);
    expect(policy.sources).toEqual([root, join(dir, 'a.yaml'), join(dir, 'common.yaml'), join(dir, 'b.yaml')]);
  });

  it('resolves an npm package from the policy folder: its "shipshape-policy" file, else shipshape.policy.yaml', async () => {
    const dir = tempDir();
    write(
      dir,
      'node_modules/@acme/policy/package.json',
      JSON.stringify({ name: '@acme/policy', 'shipshape-policy': 'policies/strict.yaml' }),
    );
    write(dir, 'node_modules/@acme/policy/policies/strict.yaml', ['rules: { cost-budget: error }']);
    write(dir, 'node_modules/plain-policy/package.json', JSON.stringify({ name: 'plain-policy' }));
    write(dir, `node_modules/plain-policy/${POLICY_FILE}`, ['rules: { review-owner: off }']);
    // `exports` without ./package.json: require.resolve refuses it, the policy still resolves.
    write(dir, 'node_modules/sealed-policy/package.json', JSON.stringify({ name: 'sealed-policy', exports: { '.': './index.js' } }));
    write(dir, `node_modules/sealed-policy/${POLICY_FILE}`, ['rules: { routing: warn }']);
    const root = write(dir, `services/${POLICY_FILE}`, ['extends: ["@acme/policy", plain-policy, sealed-policy]']);
    const policy = await load(root);
    const spec = join(dir, 'services', 'shipshape.yaml');
    expect(policy.settingFor('cost-budget', spec)).toBe('error');
    expect(policy.settingFor('review-owner', spec)).toBe('off');
    expect(policy.settingFor('routing', spec)).toBe('warn');
    expect(policy.sources[1]).toBe(join(dir, 'node_modules', '@acme', 'policy', 'policies', 'strict.yaml'));
  });

  it('reports a package that is not installed, or that holds no policy, at the extends entry', async () => {
    const dir = tempDir();
    const missing = write(dir, 'a.yaml', ['rules: {}', 'extends: [./a-base.yaml, "@acme/nowhere"]']);
    write(dir, 'a-base.yaml', ['rules: {}']);
    const error = await rejection(load(missing));
    expect(error.located).toMatch(new RegExp(`^${missing}:2:26 extends "@acme/nowhere", but no npm package`));
    expect(error.hint).toMatch(/npm install --save-dev @acme\/nowhere/);

    write(dir, 'node_modules/empty-policy/package.json', JSON.stringify({ name: 'empty-policy' }));
    const empty = write(dir, 'b.yaml', ['extends: empty-policy']);
    expect((await rejection(load(empty))).located).toMatch(
      new RegExp(`^${empty}:1:10 extends "empty-policy", but the package has no ${POLICY_FILE}`),
    );
  });

  it('reports a missing base file at the extends entry', async () => {
    const dir = tempDir();
    const root = write(dir, POLICY_FILE, ['# org rules', 'extends: ./org-policy.yaml']);
    const error = await rejection(load(root));
    expect(error.located).toBe(`${root}:2:10 extends "./org-policy.yaml", but there is no file ${join(dir, 'org-policy.yaml')}`);
  });

  it('refuses an entry that is neither a file nor a package, a folder, and a package whose "shipshape-policy" is not a file name', async () => {
    const dir = tempDir();
    const spaced = write(dir, 'a.yaml', ['extends: Org Policy.yaml']);
    expect((await rejection(load(spaced))).located).toMatch(
      /a\.yaml:1:10 extends "Org Policy\.yaml", which is neither a relative file nor an npm package name$/,
    );

    mkdirSync(join(dir, 'folder'));
    const folder = await rejection(load(write(dir, 'b.yaml', ['extends: ./folder'])));
    expect(folder.file).toBe(join(dir, 'folder'));
    expect(folder.message).toBe('cannot be read: it is a folder, not a regular file');

    write(dir, 'node_modules/odd-policy/package.json', JSON.stringify({ name: 'odd-policy', 'shipshape-policy': true }));
    const odd = await rejection(load(write(dir, 'c.yaml', ['extends: odd-policy'])));
    expect(odd.file).toBe(join(dir, 'node_modules', 'odd-policy', 'package.json'));
    expect(odd.message).toMatch(/"shipshape-policy" must name the policy file/);
  });

  it('refuses a cycle, naming the chain', async () => {
    const dir = tempDir();
    write(dir, 'a.yaml', ['extends: ./b.yaml']);
    const b = write(dir, 'b.yaml', ['rules: {}', 'extends: ./a.yaml']);
    const error = await rejection(load(join(dir, 'a.yaml')));
    expect(error.located).toBe(`${b}:2:10 policy files extend each other in a cycle: a.yaml -> b.yaml -> a.yaml`);

    const self = write(dir, 'self.yaml', ['extends: ./self.yaml']);
    expect((await rejection(load(self))).message).toMatch(/cycle: self\.yaml -> self\.yaml$/);
  });
});

describe('loadPolicy: require', () => {
  async function policyWith(dir: string, requirement: string): Promise<ResolvedPolicy> {
    return load(write(dir, POLICY_FILE, ['require:', `  - ${requirement}`]));
  }

  it('min: passes at the minimum, fails below it with a specific message at the field', async () => {
    const dir = tempDir();
    const policy = await policyWith(
      dir,
      '{ field: slo.availability, min: 99.9, when: { tier: 1 }, reason: Tier-1 services promise three nines. }',
    );
    expect(requirementsFor(policy, dir)).toEqual([]);
    const edited = example.replace('availability: 99.9 ', 'availability: 99.5 ');
    const [finding, ...rest] = requirementsFor(policy, dir, () => edited);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: 'policy-require',
      severity: 'error',
      message: 'slo.availability is 99.5; policy requires at least 99.9 for tier 1 (Tier-1 services promise three nines.)',
      file: 'shipshape.yaml',
      path: ['slo', 'availability'],
    });
    expect(finding!.range.line).toBe(lineOf(edited, 'availability: 99.5'));
    expect(finding!.hint).toMatch(/shipshape\.policy\.yaml/);
  });

  it('max: passes under it, fails over it, with an array index in the field', async () => {
    const dir = tempDir();
    const policy = await policyWith(dir, '{ field: models.tiers.1.timeoutMs, max: 1000 }');
    expect(requirementsFor(policy, dir)).toEqual([]);
    const [finding] = requirementsFor(policy, dir, (t) => t.replace('timeoutMs: 900', 'timeoutMs: 1500'));
    expect(finding?.message).toBe('models.tiers.1.timeoutMs is 1500; policy requires at most 1000');
    expect(finding?.path).toEqual(['models', 'tiers', 1, 'timeoutMs']);
  });

  it('equals: passes on the value, fails on another', async () => {
    const dir = tempDir();
    const policy = await policyWith(dir, '{ field: deploy.strategy, equals: blue-green }');
    expect(requirementsFor(policy, dir)).toEqual([]);
    const [finding] = requirementsFor(policy, dir, (t) => t.replace('strategy: blue-green ', 'strategy: canary '));
    expect(finding?.message).toBe('deploy.strategy is "canary"; policy requires "blue-green"');
  });

  it('present: passes when the field is there, fails when it is missing, located at its parent', async () => {
    const dir = tempDir();
    const policy = await policyWith(dir, '{ field: deploy.rollback.automatic, present: true, reason: rollbacks are not manual here }');
    expect(requirementsFor(policy, dir)).toEqual([]);
    const edited = example.replace(/\n {2}rollback:\n( {4}.*\n)+/, '\n');
    const [finding] = requirementsFor(policy, dir, () => edited);
    expect(finding?.message).toBe('deploy.rollback.automatic is required by policy (rollbacks are not manual here)');
    expect(finding?.range.line).toBe(lineOf(edited, 'deploy:'));
  });

  it('when: applies to the tiers it names only, one or a list', async () => {
    const dir = tempDir();
    const one = await policyWith(dir, '{ field: slo.availability, min: 99.99, when: { tier: 1 } }');
    expect(requirementsFor(one, dir)).toHaveLength(1);
    expect(requirementsFor(one, dir, (t) => t.replace('tier: 1 ', 'tier: 2 '))).toEqual([]);
    const list = await policyWith(dir, '{ field: slo.availability, min: 99.99, when: { tier: [2, 3] } }');
    expect(requirementsFor(list, dir)).toEqual([]);
    const [finding] = requirementsFor(list, dir, (t) => t.replace('tier: 1 ', 'tier: 3 '));
    expect(finding?.message).toBe('slo.availability is 99.9; policy requires at least 99.99 for tier 3');
  });

  it('reaches into free-form maps, and counts a null value as missing', async () => {
    const dir = tempDir();
    const queue = await policyWith(dir, '{ field: resilience.fallback.static.queue, equals: general }');
    expect(requirementsFor(queue, dir)).toEqual([]);
    expect(requirementsFor(queue, dir, (t) => t.replace('queue: general', 'queue: billing'))).toHaveLength(1);
    const reply = await policyWith(dir, '{ field: resilience.fallback.static.reply, present: true }');
    expect(requirementsFor(reply, dir).map((f) => f.message)).toEqual(['resilience.fallback.static.reply is required by policy']);
  });

  it('*: holds every item of a list to the requirement, reporting each one that fails at its own line', async () => {
    const dir = tempDir();
    const policy = await policyWith(dir, '{ field: "models.tiers[*].timeoutMs", max: 800, reason: hosted calls are short }');
    const findings = requirementsFor(policy, dir, (t) => t.replace('timeoutMs: 50\n', 'timeoutMs: 900\n'));
    expect(findings.map((f) => f.message)).toEqual([
      'models.tiers[0].timeoutMs is 900; policy requires at most 800 (hosted calls are short)',
      'models.tiers[1].timeoutMs is 900; policy requires at most 800 (hosted calls are short)',
    ]);
    expect(findings.map((f) => f.path)).toEqual([
      ['models', 'tiers', 0, 'timeoutMs'],
      ['models', 'tiers', 1, 'timeoutMs'],
    ]);
    expect(findings[1]!.range.line).toBe(lineOf(example, 'timeoutMs: 900'));
    expect(findings[0]!.hint).toMatch(/^Set models\.tiers\[0\]\.timeoutMs to at most 800/);
    // The dotted form, and present: an item without the field is named.
    const keys = await policyWith(dir, '{ field: models.tiers.*.apiKey, present: true }');
    expect(requirementsFor(keys, dir).map((f) => f.message)).toEqual([
      'models.tiers[0].apiKey is required by policy',
      'models.tiers[1].apiKey is required by policy',
    ]);
  });

  it('*: stands for nothing where the list is absent, and for each entry of a map', async () => {
    const dir = tempDir();
    const scenarios = await policyWith(dir, '{ field: "scenarios[*].load.rps", min: 10 }');
    expect(requirementsFor(scenarios, dir, (t) => t.slice(0, t.indexOf('\nscenarios:') + 1))).toEqual([]);
    const statics = await policyWith(dir, '{ field: resilience.fallback.static.*, present: true }');
    expect(requirementsFor(statics, dir).map((f) => f.message)).toEqual(['resilience.fallback.static.reply is required by policy']);
  });

  it('*: refused over a section, which has named fields', async () => {
    const dir = tempDir();
    const error = await rejection(policyWith(dir, '{ field: slo.*, present: true }'));
    expect(error.message).toMatch(/"slo\.\*": \* stands for every item of a list or entry of a map, and slo is a section/);
    expect(error.hint).toMatch(/availability, windowDays, latency/);
  });

  it('refuses a field the spec does not have, with did-you-mean', async () => {
    const dir = tempDir();
    const file = write(dir, POLICY_FILE, ['require:', '  - field: slo.availabilty', '    min: 99.9']);
    const error = await rejection(load(file));
    expect(error.located).toBe(
      `${file}:2:12 "slo.availabilty" is not a field of the spec: slo has no "availabilty"; did you mean "slo.availability"?`,
    );
  });

  it('refuses min on a field that is not a number, an index missing on a list, and a requirement with no test', async () => {
    const dir = tempDir();
    expect((await rejection(policyWith(dir, '{ field: metadata.owner, min: 1 }'))).message).toMatch(/"metadata.owner" is not a number/);
    expect((await rejection(policyWith(dir, '{ field: models.tiers.timeoutMs, max: 1 }'))).message).toMatch(/models\.tiers is a list/);
    expect((await rejection(policyWith(dir, '{ field: models.tiers.nope, max: 1 }'))).hint).toMatch(/models\.tiers\.\*\.nope/);
    expect((await rejection(policyWith(dir, '{ field: slo.latency, equals: 3 }'))).message).toMatch(/is a section/);
    expect((await rejection(policyWith(dir, '{ field: slo.availability.value, present: true }'))).message).toMatch(
      /slo\.availability is a value, not a section/,
    );
    expect((await rejection(policyWith(dir, '{ field: slo.availability, min: 99.9, max: 99 }'))).message).toMatch(
      /require\[0\]\.max min must not exceed max/,
    );
    expect((await rejection(policyWith(dir, '{ field: slo.availability, present: false }'))).message).toMatch(/present must be true/);
    const error = await rejection(policyWith(dir, '{ field: slo.availability }'));
    expect(error.located).toMatch(/:2:5 require\[0\] needs min, max, equals or present: true$/);
  });
});

describe('loadPolicy: exceptions', () => {
  const exception = (extra: string[] = []) => [
    'exceptions:',
    '  - rule: cost-budget',
    ...extra,
    '    reason: Search pays for itself; finance signed off.',
    '    owner: jane@example.com',
    '    expires: 2027-01-31',
  ];

  it('covers a rule until the end of its expiry day (UTC), then no longer', async () => {
    const dir = tempDir();
    const file = write(dir, POLICY_FILE, exception());
    const policy = await load(file);
    const spec = join(dir, 'services', 'a', 'shipshape.yaml');
    expect(policy.exceptionFor('cost-budget', spec, new Date('2027-01-31T23:59:59Z'))).toEqual({
      reason: 'Search pays for itself; finance signed off.',
      owner: 'jane@example.com',
      expires: '2027-01-31',
      source: file,
    });
    expect(policy.exceptionFor('review-owner', spec, new Date('2027-01-01T00:00:00Z'))).toBeUndefined();
    expect(policy.expiredExceptions(new Date('2027-01-31T23:59:59Z'), dir)).toEqual([]);

    const later = new Date('2027-02-01T00:00:00Z');
    expect(policy.exceptionFor('cost-budget', spec, later)).toBeUndefined();
    const expired = policy.expiredExceptions(later, dir);
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({
      ruleId: 'policy-exception-expired',
      severity: 'error',
      file: POLICY_FILE,
      range: { line: 5, column: 14 },
    });
    expect(expired[0]!.message).toMatch(/cost-budget .*jane@example\.com.* expired on 2027-01-31/);
    // Outside the working directory the file keeps its full path.
    expect(policy.expiredExceptions(later, join(dir, 'services'))[0]!.file).toBe(file);
  });

  it('covers only the specs its files globs match', async () => {
    const dir = tempDir();
    const policy = await load(write(dir, POLICY_FILE, exception(['    files: ["services/search/**"]'])));
    const today = new Date('2026-06-01T12:00:00Z');
    expect(policy.exceptionFor('cost-budget', join(dir, 'services', 'search', 'shipshape.yaml'), today)).toBeDefined();
    expect(policy.exceptionFor('cost-budget', join(dir, 'services', 'triage', 'shipshape.yaml'), today)).toBeUndefined();
  });

  it('accepts a quoted date and refuses a day that does not exist', async () => {
    const dir = tempDir();
    const quoted = await load(
      write(
        dir,
        'quoted.yaml',
        exception().map((l) => l.replace('2027-01-31', "'2027-01-31'")),
      ),
    );
    expect(quoted.exceptionFor('cost-budget', join(dir, 'shipshape.yaml'), new Date('2027-01-31T00:00:00Z'))?.expires).toBe('2027-01-31');
    const file = write(
      dir,
      'bad.yaml',
      exception().map((l) => l.replace('2027-01-31', '2027-02-30')),
    );
    expect((await rejection(load(file))).located).toBe(
      `${file}:5:14 exceptions[0].expires must be a date written YYYY-MM-DD, e.g. 2027-01-31`,
    );
  });

  it('refuses an exception without an owner', async () => {
    const dir = tempDir();
    const file = write(
      dir,
      POLICY_FILE,
      exception().filter((l) => !l.includes('owner')),
    );
    expect((await rejection(load(file))).message).toBe('exceptions[0].owner is required');
  });
});

describe('loadPolicy: mistakes', () => {
  it('refuses unknown rule ids in rules, overrides and exceptions, with did-you-mean', async () => {
    const dir = tempDir();
    const rules = write(dir, 'rules.yaml', ['rules:', '  cost-budjet: off']);
    const error = await rejection(load(rules));
    expect(error.located).toBe(`${rules}:2:3 unknown rule "cost-budjet"; did you mean "cost-budget"?`);

    const overrides = write(dir, 'overrides.yaml', ['overrides:', '  - files: ["**"]', '    rules: { tier1-rolback: off }']);
    expect((await rejection(load(overrides))).located).toMatch(
      /overrides\.yaml:3:14 unknown rule "tier1-rolback"; did you mean "tier1-rollback"\?$/,
    );

    const exceptions = write(dir, 'exceptions.yaml', [
      'exceptions:',
      '  - { rule: made-up-thing, reason: r, owner: o, expires: 2027-01-01 }',
    ]);
    const unknown = await rejection(load(exceptions));
    expect(unknown.located).toMatch(/exceptions\.yaml:2:13 unknown rule "made-up-thing"$/);
    expect(unknown.hint).toMatch(/shipshape rules/);
  });

  it('reports bad YAML at its line and column', async () => {
    const dir = tempDir();
    const file = write(dir, POLICY_FILE, ['rules:', '  cost-budget: error: warn']);
    const error = await rejection(load(file));
    expect(error.file).toBe(file);
    expect(error.position).toEqual({ line: 2, column: 16 });
    expect(error.message).toMatch(/^YAML syntax error/);
  });

  it('reports a wrong type and an unknown key at their places, all of them', async () => {
    const dir = tempDir();
    const file = write(dir, POLICY_FILE, ['rules: [cost-budget]', 'exeptions: []']);
    const error = await rejection(load(file));
    expect(error.located).toBe(
      `${file}:1:8 rules must be a mapping of rule ids to error, warn, info or off (and 1 more problem in this file)`,
    );
    expect(error.hint).toMatch(/2:1 unknown key "exeptions"; did you mean "exceptions"\?/);
  });

  it('refuses an empty policy and a missing policy file', async () => {
    const dir = tempDir();
    const empty = write(dir, POLICY_FILE, '# nothing yet\n');
    const error = await rejection(load(empty));
    expect(error.located).toBe(`${empty}:1:1 is empty`);
    expect(error.hint).toMatch(/rules, overrides, require, exceptions or template/);
    expect((await rejection(load(join(dir, 'nope.yaml')))).message).toMatch(/^no policy file at /);
  });
});

describe('loadPolicy: template', () => {
  it('exposes the required pack and minimum version, and none without a template section', async () => {
    const dir = tempDir();
    const file = write(dir, POLICY_FILE, ['template:', '  pack: service-ts', '  minVersion: 1.4.0']);
    expect((await load(file)).template).toEqual({ pack: 'service-ts', minVersion: '1.4.0', sources: { pack: file, minVersion: file } });
    write(dir, POLICY_FILE, ['template: { minVersion: 2.0.10 }']);
    expect((await load(file)).template).toEqual({ minVersion: '2.0.10', sources: { minVersion: file } });
    write(dir, POLICY_FILE, ['rules: { cost-budget: warn }']);
    expect((await load(file)).template).toBeUndefined();
  });

  it('merges through extends key by key, the extending file winning', async () => {
    const dir = tempDir();
    const base = write(dir, 'org/base.yaml', ['template: { pack: service-ts, minVersion: 1.0.0 }']);
    const team = write(dir, 'team.yaml', ['extends: ./org/base.yaml', 'template: { minVersion: 1.4.0 }']);
    const root = write(dir, POLICY_FILE, ['extends: ./team.yaml', 'rules: { cost-budget: warn }']);
    expect((await load(root)).template).toEqual({ pack: 'service-ts', minVersion: '1.4.0', sources: { pack: base, minVersion: team } });

    write(dir, POLICY_FILE, ['extends: ./team.yaml', 'template: { pack: service-py }']);
    expect((await load(root)).template).toEqual({ pack: 'service-py', minVersion: '1.4.0', sources: { pack: root, minVersion: team } });
  });

  it.each([
    [['template:', '  pack: service-ts', '  minVersion: 1.4'], 3, 15, 'template.minVersion must be a version x.y.z, e.g. 1.4.0'],
    [['template:', '  minVersion: v1.4.0'], 2, 15, 'template.minVersion must be a version x.y.z, e.g. 1.4.0'],
    [['template:', '  minVersion: "01.4.0"'], 2, 15, 'template.minVersion must be a version x.y.z, e.g. 1.4.0'],
    [['rules: {}', 'template: {}'], 2, 11, 'template needs pack, minVersion or both'],
    [['template:', '  pack: ""'], 2, 9, 'template.pack must be a pack name, e.g. service-ts'],
    [['template:', '  pack: service-ts', '  version: 1.4.0'], 3, 3, 'unknown key "version"'],
    [['template: service-ts'], 1, 11, 'template must be a mapping: { pack: <name>, minVersion: <x.y.z> }'],
  ])('refuses %j at its line and column', async (lines, line, column, message) => {
    const dir = tempDir();
    const file = write(dir, POLICY_FILE, lines);
    const error = await rejection(load(file));
    expect(error.file).toBe(file);
    expect(error.position).toEqual({ line, column });
    expect(error.message).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('reports a bad template in a base at the base file', async () => {
    const dir = tempDir();
    const base = write(dir, 'base.yaml', ['rules: {}', 'template:', '  minVersion: latest']);
    const root = write(dir, POLICY_FILE, ['extends: ./base.yaml']);
    const error = await rejection(load(root));
    expect(error.located).toBe(`${base}:3:15 template.minVersion must be a version x.y.z, e.g. 1.4.0`);
  });
});
