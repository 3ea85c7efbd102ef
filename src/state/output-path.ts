/**
 * Where a report may be written (`check -o`, `schema --out`, `validate --junit`): never over the
 * spec, a spec-named file, a file generate manages (listed in .shipshape/manifest.json) or
 * anything in .shipshape/, forced or not; over another existing file only with --force, unless
 * it is a previous report of the same kind (re-running the same command line must just work).
 */
import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';
import { readHeadSync, readTextBoundedSync } from '../fs/read.js';
import { findSpecUpward } from '../spec/locate.js';
import { MANIFEST_FILE, readManifestLeniently } from './manifest.js';

export interface OutputKind {
  /** "check report", "JSON Schema", "JUnit report": completes "is not a previous ...". */
  name: string;
  /** Whether the first few KB of an existing file are a report of this kind. */
  recognise: (head: string) => boolean;
}

/** Any of check's five formats. */
export const CHECK_REPORT: OutputKind = {
  name: 'check report',
  recognise: (head) =>
    /\bspecs? checked\b|^[✖✔] \d+ (?:problems?|specs?|files?) |^::(?:error|warning|notice) |^shipshape: |"\$schema": "https:\/\/json\.schemastore\.org\/sarif|<testsuites name="shipshape"|"results": \[[\s\S]*"file": /m.test(
      head,
    ),
};

export const JSON_SCHEMA: OutputKind = {
  name: 'JSON Schema',
  recognise: (head) => /^\{\s*"\$schema": "https:\/\/json-schema\.org\//.test(head),
};

export const JUNIT_REPORT: OutputKind = {
  name: 'JUnit report',
  recognise: (head) => /^<\?xml[^>]*>\s*<testsuites\b/.test(head),
};

const SPEC_NAME = /^(?:shipshape|.+\.shipshape)\.ya?ml$/i;
const HEAD_BYTES = 8 * 1024;

/** The path with every link resolved, as far as it exists (a file not written yet: its folder's real path). */
function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(real(parent), basename(path));
  }
}

/** The spec and the managed files of the project around `start`, real paths. */
async function protectedAround(start: string): Promise<{ spec?: string; root?: string; managed: Set<string> }> {
  const spec = await findSpecUpward(start);
  if (!spec) return { managed: new Set() };
  const root = dirname(spec);
  const managed = new Set<string>();
  try {
    const read = readManifestLeniently(JSON.parse(readTextBoundedSync(join(root, MANIFEST_FILE), { what: 'state file' })));
    if ('value' in read) for (const file of Object.keys(read.value.files)) managed.add(real(resolve(root, file)));
  } catch {
    // No manifest, or one that cannot be used: nothing more to protect than the spec and .shipshape/.
  }
  return { spec: real(spec), root: real(root), managed };
}

/**
 * Throws a UserError (exit 2) when `file` may not be written as a report of `kind`; see the
 * module comment. `inputs` are files the command read (the specs check checked): never replaced.
 */
export async function guardOutputPath(
  file: string,
  options: { cwd: string; kind: OutputKind; force?: boolean; flag: string; inputs?: readonly string[] },
): Promise<void> {
  const absolute = resolve(options.cwd, file);
  const target = real(absolute);
  const refuse = (why: string, hint = `Write the ${options.kind.name} somewhere else.`) => {
    throw new UserError(`refusing to write the ${options.kind.name} to ${file}: ${why}`, { hint });
  };
  if (SPEC_NAME.test(basename(target)) || SPEC_NAME.test(basename(absolute)))
    refuse('it is named like a spec; --force does not change that');
  for (const input of options.inputs ?? [])
    if (real(resolve(options.cwd, input)) === target) refuse('it is one of the specs being checked');
  let inState = false;
  for (const start of new Set([dirname(absolute), options.cwd])) {
    const project = await protectedAround(start);
    if (project.spec === target) refuse('it is the spec; --force does not change that');
    if (project.root && (target + sep).startsWith(join(project.root, '.shipshape') + sep)) inState = true;
    if (project.managed.has(target)) refuse(`it is a file generate manages (listed in ${MANIFEST_FILE}); --force does not change that`);
  }
  const info = lstatSync(target, { throwIfNoEntry: false });
  // In .shipshape/, only a previous report of the same kind (init's copy of the schema) may be refreshed.
  const stateRefusal = 'it is inside .shipshape/, which shipshape keeps for itself';
  if (!info) {
    if (inState) refuse(stateRefusal);
    return;
  }
  if (!info.isFile()) refuse('it exists and is not a regular file');
  if (!inState && (options.force || info.size === 0)) return;
  let head = '';
  try {
    head = readHeadSync(target, HEAD_BYTES).toString('utf8');
  } catch {
    // Unreadable: not recognisably ours.
  }
  if (inState && !options.kind.recognise(head)) refuse(stateRefusal);
  if (!options.kind.recognise(head)) {
    refuse(`it exists and is not a previous ${options.kind.name}`, `Pass --force to replace it, or choose another ${options.flag} file.`);
  }
}
