/**
 * Rendering a pack for a spec, wholly in memory: each file's output path (templated segments
 * filled in, `.hbs` dropped, checked to stay inside the project), its content (rendered with
 * handlebars in strict mode, or copied byte for byte), its ownership and its mode. Nothing is
 * written here; a single failure fails the whole render.
 */
import type HandlebarsNamespace from 'handlebars';
import { displayPath } from '../fs/paths.js';
import { UserError } from '../errors.js';
import type { Spec } from '../spec/schema.js';
import { withHeader } from './header.js';
import { COMPILE_OPTIONS, HelperError, registerHelpers, type TemplateLocation } from './helpers.js';
import { fileCondition, listPackFiles, ownershipMatcher, PACK_FILES, TEMPLATE_EXTENSION, type PackFile } from './pack.js';
import { shipshapeDependency } from './package-root.js';
import { unsafePathReason } from './paths.js';
import { sourceHash, type PrecompiledPack } from './precompiled.js';
import type { Pack, RenderedFile } from './types.js';
import { LARGE_FILE_MAX_BYTES, readFileBounded, readTextBounded } from '../fs/read.js';

type Env = typeof HandlebarsNamespace;
type Template = (context: unknown) => string;

/** What templates see: `{{spec.metadata.name}}`, `{{pack.version}}`, `{{shipshape.version}}`, `{{shipshape.dependency}}`. */
export interface RenderContext {
  spec: Record<string, unknown>;
  pack: { name: string; version: string };
  /** `dependency`: what the project's package.json pins to install this shipshape (src/scaffold/package-root.ts). */
  shipshape: { version: string; dependency: string };
}

/**
 * The context for a spec. Sections the spec does not have are null rather than absent, so that
 * `{{#if spec.resilience}}` works in strict mode while `{{spec.resilience.timeoutMs}}` still
 * fails loudly.
 */
export function renderContext(
  spec: Spec,
  pack: { name: string; version: string },
  shipshapeVersion: string,
  sections: readonly string[],
): RenderContext {
  const full: Record<string, unknown> = {};
  for (const section of sections) full[section] = null;
  return {
    spec: Object.assign(full, spec),
    pack: { name: pack.name, version: pack.version },
    shipshape: { version: shipshapeVersion, dependency: shipshapeDependency(shipshapeVersion) },
  };
}

export interface RenderOptions {
  /** Precompiled templates; a file whose source no longer matches its hash is compiled anew. */
  precompiled?: PrecompiledPack;
  /** For naming files in errors (relative to it when inside). */
  cwd?: string;
}

/** A template's source and how to name it in an error. */
interface Source {
  text: string;
  display: string;
  /** The template is the file's name (a templated path), not its content: no line and column. */
  name?: boolean;
}

/** handlebars' errors and ours, as one UserError at the template's line and column. */
async function explain(error: unknown, source: Source): Promise<UserError> {
  if (error instanceof UserError) return error;
  if (source.name) {
    const explained = await explain(error, { ...source, name: false });
    return new UserError(`in the file name: ${explained.message}`, {
      file: source.display,
      ...(explained.hint ? { hint: explained.hint } : {}),
      cause: error,
    });
  }
  const hint =
    'Fix the template: a field must exist in the spec (`shipshape schema` lists them); test optional ones with {{#if spec.section}}.';
  const at = (line: number, column: number) => ({ file: source.display, position: { line, column: column + 1 }, hint });
  const message = error instanceof Error ? error.message : String(error);

  if (error instanceof HelperError) {
    const argument = error.loc ? await argumentAt(source.text, error.loc, error.argument) : undefined;
    const where = error.loc ? at(error.loc.start.line, error.loc.start.column) : { file: source.display, hint };
    if (error.missing) return new UserError(`${error.helper} was given ${argument ?? 'a field'}, which is not defined`, where);
    return new UserError(`${error.message}${argument ? ` (${argument})` : ''}`, where);
  }
  const missing = /^"(.*)" not defined in (.*) - \d+:\d+$/s.exec(message);
  const located = error as { lineNumber?: number; column?: number; endLineNumber?: number; endColumn?: number };
  if (missing && located.lineNumber !== undefined && located.column !== undefined) {
    const name = missing[1]!;
    const field = await fieldAt(source.text, name, located as Required<typeof located>);
    return new UserError(`${field} is not defined`, at(located.lineNumber, located.column));
  }
  const parse = /^Parse error on line (\d+):\n.*\n(-*)\^\n(.*)$/s.exec(message);
  if (parse) {
    return new UserError(`handlebars syntax error: ${parse[3]!.split('\n').at(-1)}`, {
      ...at(Number(parse[1]), parse[2]!.length),
      hint: 'Check the {{ }} and {{# }}...{{/ }} pairs of the template.',
    });
  }
  return new UserError(`cannot be rendered: ${message}`, { file: source.display, hint, cause: error });
}

interface Node {
  type?: string;
  loc?: TemplateLocation;
  original?: unknown;
  parts?: string[];
  params?: Node[];
  value?: unknown;
}

/** Every node of a handlebars AST. */
function* nodes(value: unknown): Generator<Node> {
  if (Array.isArray(value)) for (const item of value) yield* nodes(item);
  else if (value !== null && typeof value === 'object') {
    if ('type' in value) yield value as Node;
    for (const [key, child] of Object.entries(value)) if (key !== 'loc') yield* nodes(child);
  }
}

const before = (a: { line: number; column: number }, b: { line: number; column: number }) =>
  a.line < b.line || (a.line === b.line && a.column <= b.column);

async function parse(text: string): Promise<unknown> {
  try {
    const { default: Handlebars } = await import('handlebars');
    return Handlebars.parse(text);
  } catch {
    return undefined;
  }
}

/** The whole path (`spec.metadata.nmae`) of the part strict mode found missing (`nmae`) in the statement at `at`. */
async function fieldAt(
  text: string,
  name: string,
  at: { lineNumber: number; column: number; endLineNumber: number; endColumn: number },
): Promise<string> {
  const start = { line: at.lineNumber, column: at.column };
  const end = { line: at.endLineNumber ?? at.lineNumber, column: at.endColumn ?? Number.MAX_SAFE_INTEGER };
  for (const node of nodes(await parse(text))) {
    if (node.type !== 'PathExpression' || !node.loc || !node.parts?.includes(name)) continue;
    if (before(start, node.loc.start) && before(node.loc.end, end)) return String(node.original);
  }
  return name;
}

/** How the template wrote the argument of the helper call at `loc`. */
async function argumentAt(text: string, loc: TemplateLocation, index: number): Promise<string | undefined> {
  for (const node of nodes(await parse(text))) {
    if (!node.params || !node.loc) continue;
    if (node.loc.start.line !== loc.start.line || node.loc.start.column !== loc.start.column) continue;
    const param = node.params[index];
    if (!param) return undefined;
    return param.original !== undefined ? String(param.original) : JSON.stringify(param.value);
  }
  return undefined;
}

/** The handlebars environments, loaded on first use: the runtime alone when every template is precompiled. */
class Engine {
  private runtime: Env | undefined;
  private compiler: Env | undefined;
  constructor(private readonly precompiled: PrecompiledPack | undefined) {}

  private async env(full: boolean): Promise<Env> {
    if (full) {
      if (!this.compiler) {
        const { default: Handlebars } = await import('handlebars');
        this.compiler = Handlebars.create();
        registerHelpers(this.compiler);
      }
      return this.compiler;
    }
    if (!this.runtime) {
      const { default: Runtime } = await import('handlebars/runtime');
      this.runtime = Runtime.create();
      registerHelpers(this.runtime);
    }
    return this.runtime;
  }

  async file(path: string, source: string): Promise<Template> {
    const found = this.precompiled?.files[path];
    if (found && found.sha256 === sourceHash(source)) return this.fromSpec(found.spec);
    return (await this.env(true)).compile(source, COMPILE_OPTIONS);
  }

  async path(path: string): Promise<Template> {
    const found = this.precompiled?.paths[path];
    if (found !== undefined) return this.fromSpec(found);
    return (await this.env(true)).compile(path, COMPILE_OPTIONS);
  }

  private async fromSpec(spec: unknown): Promise<Template> {
    return (await this.env(false)).template(spec as TemplateSpecification);
  }
}

async function run(template: Template, context: RenderContext, source: Source): Promise<string> {
  try {
    return template(context);
  } catch (error) {
    throw await explain(error, source);
  }
}

/**
 * Renders every file of the pack for `context`. Throws a UserError naming the template file on
 * a missing field, a syntax error, or an output path that would leave the project (absolute,
 * `..`, empty, or inside .shipshape/); two templates making one path is an error too.
 */
export async function renderPack(pack: Pack, context: RenderContext, options: RenderOptions = {}): Promise<RenderedFile[]> {
  const engine = new Engine(options.precompiled);
  const ownership = ownershipMatcher(pack);
  const wanted = fileCondition(pack, context.spec);
  const display = (file: PackFile) => (options.cwd ? displayPath(file.absolute, options.cwd) : `${PACK_FILES}/${file.path}`);
  const made = new Map<string, PackFile>();
  const rendered: RenderedFile[] = [];
  for (const file of await listPackFiles(pack.root)) {
    const name = display(file);
    let path = file.path.includes('{{')
      ? await run(await engine.path(file.path), context, { text: file.path, display: name, name: true })
      : file.path;
    if (file.template) path = path.slice(0, -TEMPLATE_EXTENSION.length);
    const unsafe = unsafePathReason(path);
    if (unsafe) {
      throw new UserError(`renders to the path ${JSON.stringify(path)}, which ${unsafe}`, {
        file: name,
        hint: 'Fix the file name in the pack: a pack writes only inside the project, never the spec nor into .shipshape/ or .git/.',
      });
    }
    // Not made for this spec (the pack's `when`): not rendered either, so it may read fields this spec lacks.
    if (!wanted(path)) continue;
    const twin = made.get(path);
    if (twin) {
      throw new UserError(`renders to ${path}, which ${display(twin)} makes too`, {
        file: name,
        hint: 'Give the two templates different names in the pack.',
      });
    }
    made.set(path, file);
    const owner = ownership(path);
    let content: Buffer;
    if (file.template) {
      const text = await readTextBounded(file.absolute, { maxBytes: LARGE_FILE_MAX_BYTES, what: 'pack file' });
      const output = await run(await engine.file(file.path, text), context, { text, display: name });
      content = Buffer.from(owner === 'managed' ? withHeader(output, path, pack.manifest.name) : output);
    } else {
      content = await readFileBounded(file.absolute, { maxBytes: LARGE_FILE_MAX_BYTES, what: 'pack file' });
    }
    rendered.push({ path, content, ownership: owner, mode: file.mode });
  }
  return rendered.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
