/**
 * Template packs: the `template.yaml` format, loading a pack folder, and resolving `--template`
 * to a folder (bundled, a path, or an npm package installed into the cache).
 */
import { existsSync, lstatSync, statSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import picomatch from 'picomatch';
import * as z from 'zod';
import { displayPath } from '../fs/paths.js';
import { UserError } from '../errors.js';
import { specSchema } from '../spec/schema.js';
import { quickData, readSpecBytes } from '../spec/fast-load.js';
import { readYamlFile, validate, type Diagnostic } from '../spec/yaml-file.js';
import { VERSION_PATTERN } from '../text/semver.js';
import { packageRoot } from './package-root.js';
import { unsafePathReason } from './paths.js';
import { OWNERSHIPS, type Ownership, type Pack, type PackManifest, type PackSource } from './types.js';

export const PACK_MANIFEST = 'template.yaml';
/** The folder of a pack that holds the files it makes. */
export const PACK_FILES = 'files';
/** The pack generate uses when --template is not given and the project names none. */
export const DEFAULT_PACK = 'service-ts';
/** The extension of a file that is rendered (and dropped from its output name). */
export const TEMPLATE_EXTENSION = '.hbs';

const PACK_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SECTIONS = Object.keys(specSchema.shape) as [string, ...string[]];

const text = (what: string) =>
  z
    .string({ error: `must be ${what}` })
    .trim()
    .min(1, { error: `must be ${what}` });

const glob = text('a glob of output paths, e.g. src/**').refine(
  (pattern) => !pattern.startsWith('/') && !/^[A-Za-z]:/.test(pattern) && !/(^|\/)\.\.(\/|$)/.test(pattern),
  { error: 'must be relative to the project (no leading / and no ..)' },
);
const globs = z.array(glob, { error: 'must be a list of globs, e.g. ["src/**"]' });
/** A file or folder of the project a task reads or leaves. */
/** A value a `when` condition compares a spec field with (null: the spec does not have the field). */
const conditionValue = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'must be a text, a number, true, false or null',
});
/** A dotted path of spec fields, e.g. task.kind. */
const specPath = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/, { error: 'must be a dotted spec path, e.g. task.kind' });
const projectPath = text('a project path, e.g. package.json').refine((path) => unsafePathReason(path) === undefined, {
  error: 'must be a path inside the project, with / between folders',
});

export const packManifestSchema = z.strictObject({
  name: text('a pack name').regex(PACK_NAME, { error: 'must be lower-case letters, digits and dashes, e.g. service-ts' }),
  version: text('a version').regex(VERSION_PATTERN, { error: 'must be a version x.y.z, e.g. 1.0.0' }),
  description: text('a sentence saying what the pack makes'),
  requires: z
    .array(z.enum(SECTIONS, { error: `must be a spec section: ${SECTIONS.join(', ')}` }), {
      error: 'must be a list of spec sections, e.g. [metadata, slo]',
    })
    .default([]),
  ownership: z
    .strictObject(
      { managed: globs.optional(), seeded: globs.optional(), merged: globs.optional() },
      { error: 'must map managed, seeded and merged to lists of globs' },
    )
    .default({}),
  defaultOwnership: z.enum(OWNERSHIPS, { error: `must be one of ${OWNERSHIPS.join(', ')}` }).default('managed'),
  build: z
    .array(text('a command or an argument'), { error: 'must be a command and its arguments, e.g. [npm, run, build]' })
    .min(1, { error: 'must name a command, e.g. [npm, run, build]' })
    .optional()
    .describe('How `shipshape validate` builds the generated service, once, before it starts it.'),
  start: z
    .array(text('a command or an argument'), { error: 'must be a command and its arguments, e.g. [node, dist/main.js]' })
    .min(1, { error: 'must name a command, e.g. [node, dist/main.js]' })
    .optional()
    .describe('How `shipshape validate` starts the generated service; PORT, HOST and the tier endpoints come from the environment.'),
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string({ error: "must be a text (quote a number: '0')" }), {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? 'is not an environment variable name (letters, digits and _, not first a digit)'
          : "must map variable names to texts, e.g. { SHUTDOWN_LINGER_MS: '0' }",
    })
    .optional()
    .describe(
      "Variables for the service when shipshape runs it: validate's (its PORT, HOST and tier endpoints win) and the local deploy driver's versions (the spec's variables win).",
    ),
  requests: text('a project path, e.g. dist/requests.json')
    .refine((path) => !path.startsWith('/') && !/^[A-Za-z]:/.test(path) && !/(^|\/)\.\.(\/|$)/.test(path), {
      error: 'must be relative to the project (no leading / and no ..)',
    })
    .optional()
    .describe('A file the build writes: the request bodies `shipshape validate` sends to reach each tier, { "<tier>": [body, ...] }.'),
  when: z
    .array(
      z.strictObject(
        {
          files: globs.min(1, { error: 'must name at least one glob, e.g. ["src/rag/**"]' }),
          spec: z
            .record(specPath, z.union([conditionValue, z.array(conditionValue).min(1)]), {
              error: 'must map spec paths to a value or a list of values, e.g. { task.kind: rag }',
            })
            .refine((conditions) => Object.keys(conditions).length > 0, { error: 'must name at least one spec field' }),
        },
        { error: 'must be a condition: { files: [globs], spec: { field.path: value } }' },
      ),
      { error: 'must be a list of conditions' },
    )
    .default([])
    .describe(
      'Files made only for some specs: a file a `files` glob matches is made only when every `spec` field has the value (or one of the values) given.',
    ),
  tasks: z
    .array(
      z.strictObject(
        {
          name: text('a task name'),
          run: z
            .array(text('a command or an argument'), { error: 'must be a command and its arguments, e.g. [npm, install]' })
            .min(1, { error: 'must name a command, e.g. [npm, install]' })
            .transform((run) => run as [string, ...string[]]),
          inputs: z.array(projectPath, { error: 'must be a list of project files, e.g. [package.json, package-lock.json]' }).optional(),
          outputs: z.array(projectPath, { error: 'must be a list of project paths, e.g. [node_modules]' }).optional(),
        },
        { error: 'must be a task: { name, run: [command, ...arguments] }' },
      ),
      { error: 'must be a list of tasks' },
    )
    .default([]),
});

const MANIFEST_HINT =
  'template.yaml holds name, version (x.y.z), description, requires (spec sections), ownership (managed, seeded, merged: globs), defaultOwnership, when (conditional files), tasks, and build and start for validate.';

/** A UserError for the problems of a file: the first at its place, the others listed after it. */
export function diagnosticsError(diagnostics: readonly Diagnostic[], hint: string): UserError {
  const [first, ...rest] = diagnostics;
  if (!first) return new UserError('is not valid', { hint });
  const more = rest.map((d) => `\n  ${d.file}:${d.line}:${d.column} ${d.message}`).join('');
  return new UserError(`${first.message}${more}`, {
    file: first.file,
    position: { line: first.line, column: first.column },
    hint: (first.code === 'schema' && rest.length === 0 && first.hint) || hint,
  });
}

/**
 * A valid manifest through the quick look that loading a spec takes first (src/spec/fast-load.ts):
 * its data without the yaml Document, which a dry run of `generate` otherwise never needs.
 * Anything else is undefined, and read the full way.
 */
function readManifestQuickly(file: string): PackManifest | undefined {
  const bytes = readSpecBytes(file);
  const quick = bytes && quickData(bytes);
  const result = quick && packManifestSchema.safeParse(quick.data);
  return result && result.success ? result.data : undefined;
}

/** The manifest read the full way, positions and all: every problem is reported at its place. */
async function readManifestFully(file: string, display: string): Promise<PackManifest> {
  const parsed = await readYamlFile(file, display, 'pack manifest');
  if (parsed.diagnostics.length > 0) throw diagnosticsError(parsed.diagnostics, MANIFEST_HINT);
  const { data, diagnostics } = validate(parsed, packManifestSchema);
  if (!data) throw diagnosticsError(diagnostics, MANIFEST_HINT);
  return data;
}

/** Reads and validates `<root>/template.yaml` into a Pack. */
export async function loadPack(root: string, source: PackSource, trusted: boolean, options: { cwd?: string } = {}): Promise<Pack> {
  const file = join(root, PACK_MANIFEST);
  const display = options.cwd ? displayPath(file, options.cwd) : file;
  if (!existsSync(file)) {
    throw new UserError(`${displayPath(root, options.cwd ?? root)} is not a template pack: it has no ${PACK_MANIFEST}`, {
      hint: `A pack is a folder with ${PACK_MANIFEST} and a ${PACK_FILES}/ folder of the files it makes.`,
    });
  }
  const data = readManifestQuickly(file) ?? (await readManifestFully(file, display));
  const files = join(root, PACK_FILES);
  // Not followed: a files/ that is a link would copy a folder from outside the pack into the project.
  if (lstatSync(files, { throwIfNoEntry: false })?.isSymbolicLink()) {
    throw new UserError(`the pack ${data.name}: ${PACK_FILES}/ is a symbolic link`, {
      file: display,
      hint: `A pack holds regular files and folders only: make ${PACK_FILES}/ a real folder inside the pack.`,
    });
  }
  if (!statSync(files, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UserError(`the pack ${data.name} has no ${PACK_FILES}/ folder`, {
      file: display,
      hint: `Put the files the pack makes under ${join(root, PACK_FILES)}/.`,
    });
  }
  return { manifest: data satisfies PackManifest, root, source, trusted };
}

/** The names of the packs shipped with shipshape (folders of templates/ holding a template.yaml). */
export async function bundledPacks(): Promise<string[]> {
  const dir = join(packageRoot(), 'templates');
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, PACK_MANIFEST)))
    .map((entry) => entry.name)
    .sort();
}

/** The `--template` value that finds a pack from the source recorded in a project manifest (folder paths are relative to `root`). */
export function templateOf(source: PackSource, root: string): string {
  if (source.kind === 'bundled') return source.name;
  if (source.kind === 'npm') return `npm:${source.spec}`;
  return resolve(root, source.path);
}

const isPath = (template: string): boolean => template === '.' || template === '..' || /^\.\.?[\\/]/.test(template) || isAbsolute(template);

/**
 * Finds the pack `--template` names: nothing, the bundled default; a bare name, a bundled pack;
 * `./x`, `../x` or an absolute path, a folder; `npm:<spec>`, an npm package installed into the
 * cache. Only bundled packs are trusted (to run their tasks).
 */
export async function resolvePack(template: string | undefined, options: { cwd: string; cacheDir?: string }): Promise<Pack> {
  const wanted = template ?? DEFAULT_PACK;
  if (wanted.startsWith('npm:')) {
    const spec = wanted.slice('npm:'.length).trim();
    if (!spec)
      throw new UserError('--template npm: names no package', {
        hint: 'Write npm:<package>@<version>, e.g. npm:@acme/shipshape-pack@1.2.0.',
      });
    const { installNpmPack } = await import('./npm.js');
    const installed = await installNpmPack(spec, { cwd: options.cwd, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) });
    return loadPack(installed.root, { kind: 'npm', spec }, false, { cwd: options.cwd });
  }
  if (isPath(wanted)) {
    const root = resolve(options.cwd, wanted);
    if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UserError(`no pack folder at ${wanted}`, {
        hint: `A folder pack holds ${PACK_MANIFEST} and ${PACK_FILES}/; check the path.`,
      });
    }
    return loadPack(root, { kind: 'folder', path: root }, false, { cwd: options.cwd });
  }
  if (!PACK_NAME.test(wanted)) {
    throw new UserError(`--template ${wanted} is neither a bundled pack name nor a path`, {
      hint: 'Write a folder as ./path (or an absolute path), an npm package as npm:<name>@<version>, or a bundled pack by its name.',
    });
  }
  const root = join(packageRoot(), 'templates', wanted);
  if (!existsSync(join(root, PACK_MANIFEST))) {
    const bundled = await bundledPacks();
    const which = bundled.length === 0 ? 'this shipshape bundles no packs yet' : `the bundled packs are ${bundled.join(', ')}`;
    throw new UserError(`no bundled pack named ${wanted}: ${which}`, {
      hint: 'Pass --template ./path/to/pack for a pack folder, or --template npm:<name>@<version> for a pack on npm.',
    });
  }
  return loadPack(root, { kind: 'bundled', name: wanted }, true, { cwd: options.cwd });
}

/** A file of a pack, as found under its files/ folder. */
export interface PackFile {
  /** Relative to files/, forward slashes, as named in the pack (templated segments and .hbs kept). */
  path: string;
  absolute: string;
  /** 0o755 when the pack's file is executable by anyone, 0o644 otherwise: only the executable bit is kept. */
  mode: number;
  /** Ends in .hbs: rendered with handlebars (and the extension dropped). */
  template: boolean;
}

/** Every file under `<root>/files/`, dotfiles included, sorted; a symbolic link or a special file is refused. */
export async function listPackFiles(root: string): Promise<PackFile[]> {
  const base = join(root, PACK_FILES);
  const found: PackFile[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readdir(dir);
    for (const name of entries) {
      const absolute = join(dir, name);
      const path = prefix ? `${prefix}/${name}` : name;
      const info = await lstat(absolute);
      if (info.isDirectory()) {
        await walk(absolute, path);
      } else if (info.isFile()) {
        found.push({ path, absolute, mode: info.mode & 0o111 ? 0o755 : 0o644, template: name.endsWith(TEMPLATE_EXTENSION) });
      } else {
        const what = info.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
        throw new UserError(`${PACK_FILES}/${path} in the pack is ${what}`, {
          file: absolute,
          hint: 'A pack holds regular files and folders only: copy the file into the pack instead of linking it.',
        });
      }
    }
  };
  await walk(base, '');
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Decides the ownership of each output path from the pack's globs; a path that globs of two
 * ownerships match is an error in the pack (which one wins would be a guess).
 */
export function ownershipMatcher(pack: Pack): (path: string) => Ownership {
  const matchers = OWNERSHIPS.flatMap((ownership) =>
    (pack.manifest.ownership[ownership] ?? []).map((pattern) => ({ ownership, pattern, test: picomatch(pattern, { dot: true }) })),
  );
  return (path) => {
    const hits = matchers.filter((matcher) => matcher.test(path));
    const owners = new Set(hits.map((hit) => hit.ownership));
    if (owners.size > 1) {
      const which = hits.map((hit) => `${hit.ownership}: ${hit.pattern}`).join(', ');
      throw new UserError(`the pack ${pack.manifest.name} gives ${path} two ownerships (${which})`, {
        file: join(pack.root, PACK_MANIFEST),
        hint: 'Make the ownership globs of template.yaml disjoint, so each file has exactly one owner.',
      });
    }
    return hits[0]?.ownership ?? pack.manifest.defaultOwnership;
  };
}

/** The value at a dotted path of the spec; null when the spec does not have it (as templates see a missing section). */
function fieldOf(spec: Record<string, unknown>, path: string): unknown {
  let value: unknown = spec;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return null;
    value = (value as Record<string, unknown>)[key];
  }
  return value ?? null;
}

/**
 * Decides from the pack's `when` conditions whether an output path is made for this spec: a path
 * no condition's globs match always is; one they match is made only when every such condition
 * holds (each spec field equal to its value, or to one of its values).
 */
export function fileCondition(pack: Pack, spec: Record<string, unknown>): (path: string) => boolean {
  const conditions = pack.manifest.when.map((condition) => ({
    test: picomatch(condition.files, { dot: true }),
    holds: Object.entries(condition.spec).every(([path, wanted]) =>
      (Array.isArray(wanted) ? wanted : [wanted]).some((value) => value === fieldOf(spec, path)),
    ),
  }));
  return (path) => conditions.every((condition) => condition.holds || !condition.test(path));
}
