/**
 * Reading a policy file and everything it extends into one merged, plain-data policy. Every
 * problem, in any file of the chain, becomes a UserError at its file, line and column.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { UserError } from '../../errors.js';
import { didYouMean } from '../../spec/suggest.js';
import { locate, readYamlFile, validate, type Diagnostic, type ParsedYaml, type Range } from '../../spec/yaml-file.js';
import type { DocPath } from '../../spec/doc-path.js';
import type { RuleSetting } from '../types.js';
import { fieldProblem, parseField } from './fields.js';
import { policySchema, type PolicyFileData } from './schema.js';
import { readTextBounded } from '../../fs/read.js';

export const POLICY_FILE = 'shipshape.policy.yaml';

const FORMAT_HINT =
  'A policy holds `extends`, `rules` (rule id: error | warn | info | off), `overrides`, `require`, `exceptions` and `template`; `shipshape rules` lists the rule ids.';

/** Where an entry came from: globs are relative to `dir`, findings name `source`. */
interface Declared {
  source: string;
  dir: string;
}

export interface OverrideEntry extends Declared {
  files: string[];
  rules: Record<string, RuleSetting>;
}

export interface RequireEntry extends Declared {
  field: string;
  path: DocPath;
  min?: number;
  max?: number;
  equals?: string | number | boolean;
  present?: true;
  tiers?: number[];
  reason?: string;
}

export interface ExceptionEntry extends Declared {
  rule: string;
  files?: string[];
  reason: string;
  owner: string;
  /** `YYYY-MM-DD`: the last day the exception covers. */
  expires: string;
  /** Where `expires` is written in `source`, for the finding once it has passed. */
  expiresPath: DocPath;
  expiresRange: Range;
}

/** `template`: merged key by key through `extends`, each key remembering the file that set it. */
export interface TemplatePolicy {
  /** The pack every project must be generated from. */
  pack?: string;
  /** The lowest pack version allowed, x.y.z. */
  minVersion?: string;
  /** The policy file (absolute) that set each key. */
  sources: { pack?: string; minVersion?: string };
}

export interface PolicyData {
  sources: string[];
  rules: Map<string, RuleSetting>;
  overrides: OverrideEntry[];
  require: RequireEntry[];
  exceptions: ExceptionEntry[];
  /** Undefined when no file of the chain has a `template` section. */
  template?: TemplatePolicy;
}

interface Problem {
  path: DocPath;
  key?: boolean;
  message: string;
  hint?: string;
}

/** Several problems in one file become one error: the first at its place, the others listed in the hint. */
function failure(file: string, problems: readonly (Diagnostic | (Problem & Range))[]): UserError {
  const [first, ...rest] = [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
  const more = rest.length ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'} in this file)` : '';
  const also = rest.map((p) => `\n  ${p.line}:${p.column} ${p.message}`).join('');
  return new UserError(`${first!.message}${more}`, {
    hint: `${first!.hint ?? FORMAT_HINT}${also}`,
    file,
    position: { line: first!.line, column: first!.column },
  });
}

function problemsAt(parsed: ParsedYaml, problems: Problem[]): UserError | undefined {
  if (problems.length === 0) return undefined;
  return failure(
    parsed.file,
    problems.map((p) => ({ ...p, ...locate(parsed, p.path, p.key ? { key: true } : {}) })),
  );
}

function checkRuleIds(data: PolicyFileData, knownRuleIds: readonly string[]): Problem[] {
  const known = new Set(knownRuleIds);
  const problems: Problem[] = [];
  const check = (id: string, path: DocPath, key: boolean) => {
    if (known.has(id)) return;
    const suggestion = didYouMean(id, knownRuleIds);
    problems.push({
      path,
      key,
      message: `unknown rule "${id}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
      hint: suggestion ? `Write "${suggestion}".` : '`shipshape rules` lists the rule ids.',
    });
  };
  for (const id of Object.keys(data.rules ?? {})) check(id, ['rules', id], true);
  data.overrides?.forEach((override, i) => {
    for (const id of Object.keys(override.rules)) check(id, ['overrides', i, 'rules', id], true);
  });
  data.exceptions?.forEach((exception, i) => check(exception.rule, ['exceptions', i, 'rule'], false));
  return problems;
}

function checkFields(data: PolicyFileData): Problem[] {
  const problems: Problem[] = [];
  data.require?.forEach((requirement, i) => {
    const needs =
      requirement.min !== undefined || requirement.max !== undefined ? 'number' : requirement.equals !== undefined ? 'value' : 'anything';
    const problem = fieldProblem(requirement.field, parseField(requirement.field), needs);
    if (problem) problems.push({ path: ['require', i, 'field'], ...problem });
  });
  return problems;
}

async function readPolicyFile(file: string, knownRuleIds: readonly string[]): Promise<{ parsed: ParsedYaml; data: PolicyFileData }> {
  const parsed = await readYamlFile(file, file, 'policy file');
  if (parsed.diagnostics.length > 0) {
    const diagnostics = parsed.diagnostics.map((d) =>
      d.message === 'is empty'
        ? { ...d, hint: 'Write at least one of rules, overrides, require, exceptions or template, or delete the file.' }
        : d,
    );
    throw failure(file, diagnostics);
  }
  const { data, diagnostics } = validate(parsed, policySchema());
  if (!data) throw failure(file, diagnostics);
  const error = problemsAt(parsed, [...checkRuleIds(data, knownRuleIds), ...checkFields(data)]);
  if (error) throw error;
  return { parsed, data };
}

const isRelativeFile = (entry: string) => entry.startsWith('./') || entry.startsWith('../') || entry === '.' || isAbsolute(entry);
const PACKAGE_NAME = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9~][\w.~-]*$/;

/** The package.json of `name`, as Node would find it from `from`; also for packages whose `exports` hide it. */
function packageJsonOf(name: string, from: string): string | undefined {
  const require = createRequire(from);
  try {
    return require.resolve(`${name}/package.json`);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') return undefined;
    for (const dir of require.resolve.paths(name) ?? []) {
      const candidate = join(dir, name, 'package.json');
      if (existsSync(candidate)) return candidate;
    }
    return undefined;
  }
}

interface ExtendsEntry {
  entry: string;
  path: DocPath;
}

/** The absolute path of the policy an `extends` entry names. */
async function resolveExtends({ entry, path }: ExtendsEntry, parsed: ParsedYaml): Promise<string> {
  const at = locate(parsed, path);
  const fail = (message: string, hint: string) =>
    new UserError(message, { hint, file: parsed.file, position: { line: at.line, column: at.column } });
  if (isRelativeFile(entry)) {
    const target = resolve(dirname(parsed.file), entry);
    if (!existsSync(target))
      throw fail(`extends "${entry}", but there is no file ${target}`, 'Check the path: it is relative to this policy file.');
    return target;
  }
  if (!PACKAGE_NAME.test(entry)) {
    throw fail(
      `extends "${entry}", which is neither a relative file nor an npm package name`,
      'Write a file as ./name.yaml, or a package as name or @scope/name.',
    );
  }
  const packageJson = packageJsonOf(entry, parsed.file);
  if (!packageJson) {
    throw fail(
      `extends "${entry}", but no npm package of that name can be found from ${dirname(parsed.file)}`,
      `Install it (npm install --save-dev ${entry}), or write ./${entry} for a file next to this policy.`,
    );
  }
  let field: unknown;
  try {
    field = (JSON.parse(await readTextBounded(packageJson)) as Record<string, unknown>)['shipshape-policy'];
  } catch (error) {
    throw new UserError(`cannot read ${packageJson}: ${(error as Error).message}`, { file: packageJson, hint: 'Reinstall the package.' });
  }
  if (field !== undefined && (typeof field !== 'string' || field.trim() === '')) {
    throw new UserError('"shipshape-policy" must name the policy file inside the package', {
      file: packageJson,
      hint: `Set "shipshape-policy": "${POLICY_FILE}" in the package's package.json.`,
    });
  }
  const target = resolve(dirname(packageJson), typeof field === 'string' ? field : POLICY_FILE);
  if (!existsSync(target)) {
    throw fail(
      `extends "${entry}", but the package has no ${typeof field === 'string' ? `${field} (its "shipshape-policy")` : POLICY_FILE}`,
      `Publish the policy as ${POLICY_FILE} at the package root, or name it in package.json as "shipshape-policy".`,
    );
  }
  return target;
}

function extendsEntries(data: PolicyFileData): ExtendsEntry[] {
  if (data.extends === undefined) return [];
  if (typeof data.extends === 'string') return [{ entry: data.extends, path: ['extends'] }];
  return data.extends.map((entry, i) => ({ entry, path: ['extends', i] }));
}

function mergeInto(policy: PolicyData, file: string, parsed: ParsedYaml, data: PolicyFileData): void {
  const declared: Declared = { source: file, dir: dirname(file) };
  for (const [id, setting] of Object.entries(data.rules ?? {})) policy.rules.set(id, setting);
  for (const override of data.overrides ?? []) policy.overrides.push({ ...declared, files: override.files, rules: { ...override.rules } });
  for (const requirement of data.require ?? []) {
    const { when, ...rest } = requirement;
    const tiers = when === undefined ? undefined : typeof when.tier === 'number' ? [when.tier] : when.tier;
    policy.require.push({ ...declared, ...rest, path: parseField(requirement.field), ...(tiers ? { tiers } : {}) });
  }
  data.exceptions?.forEach((exception, i) => {
    const expiresPath = ['exceptions', i, 'expires'];
    policy.exceptions.push({ ...declared, ...exception, expiresPath, expiresRange: locate(parsed, expiresPath) });
  });
  if (data.template) {
    const template: TemplatePolicy = policy.template ?? { sources: {} };
    if (data.template.pack !== undefined) {
      template.pack = data.template.pack;
      template.sources.pack = file;
    }
    if (data.template.minVersion !== undefined) {
      template.minVersion = data.template.minVersion;
      template.sources.minVersion = file;
    }
    policy.template = template;
  }
}

/**
 * Reads `file` and its `extends` chain, bases first: `rules` and `template` merge key by key (the
 * extending file wins), the lists concatenate. A file reached twice through different paths counts once.
 */
export async function loadPolicyData(file: string, knownRuleIds: readonly string[]): Promise<PolicyData> {
  const root = resolve(file);
  if (!existsSync(root)) {
    throw new UserError(`no policy file at ${root}`, {
      file: root,
      hint: `Check the --policy path, or add ${POLICY_FILE} next to your specs.`,
    });
  }
  const policy: PolicyData = { sources: [], rules: new Map(), overrides: [], require: [], exceptions: [] };
  const done = new Set<string>();
  const show = (path: string) => {
    const rel = relative(dirname(root), path);
    return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  };

  const visit = async (current: string, chain: readonly string[]): Promise<void> => {
    let read: { parsed: ParsedYaml; data: PolicyFileData };
    try {
      read = await readPolicyFile(current, knownRuleIds);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`cannot read the policy file: ${(error as Error).message}`, {
        file: current,
        hint: 'Point --policy at a YAML file.',
      });
    }
    const { parsed, data } = read;
    policy.sources.push(current);
    for (const entry of extendsEntries(data)) {
      const target = await resolveExtends(entry, parsed);
      if (target === current || chain.includes(target)) {
        const cycle = [...chain, current, target].slice(chain.indexOf(target) === -1 ? chain.length : chain.indexOf(target));
        const at = locate(parsed, entry.path);
        throw new UserError(`policy files extend each other in a cycle: ${cycle.map(show).join(' -> ')}`, {
          hint: 'Remove one of the `extends` entries so the chain ends at a base policy.',
          file: current,
          position: { line: at.line, column: at.column },
        });
      }
      if (!done.has(target)) await visit(target, [...chain, current]);
    }
    done.add(current);
    mergeInto(policy, current, parsed, data);
  };
  await visit(root, []);
  return policy;
}
