/**
 * Reading a YAML file the way a spec or policy file must be read: with positions for every
 * node, and with every kind of bad input (too big, binary, not UTF-8, syntax, duplicate keys,
 * several documents, alias bombs) turned into a diagnostic at its place instead of a crash.
 */
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type Pair, type ParsedNode } from 'yaml';
import type * as z from 'zod';
import { formatBytes, ReadError, readFileBoundedSync, withArticle } from '../fs/read.js';
import { formatPath, valueAt, type DocPath, type PathSegment } from './doc-path.js';
import { defOf, schemaAt } from './schema-walk.js';
import { didYouMean } from './suggest.js';

export const MAX_FILE_BYTES = 1024 * 1024;
/** Aliases a document may expand; a billion-laughs file trips this long before it hurts. */
export const MAX_ALIAS_COUNT = 64;
/**
 * How deep mappings and lists may nest. A spec is six levels deep; the YAML reader itself gives
 * up (call stack) somewhere past 800, at a depth that depends on the machine, so the limit is ours.
 */
export const MAX_NESTING = 64;

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** `parse`: the file could not be read as YAML at all; `schema`: it was read but is not valid. */
  code: 'parse' | 'schema';
  message: string;
  hint?: string;
  path?: DocPath;
  /** A key the schema does not know (a typo, or a field of another version). */
  unknownKey?: boolean;
  /** For an unknown key: the known key it is most likely a typo of. */
  suggestion?: string;
}

export interface Range {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface ParsedYaml {
  file: string;
  text: string;
  doc: Document.Parsed | undefined;
  lineCounter: LineCounter;
  /** The plain data, when the file parsed cleanly. */
  data: unknown;
  diagnostics: Diagnostic[];
}

const START: Range = { line: 1, column: 1, endLine: 1, endColumn: 1 };

/**
 * "little-endian, with a byte-order mark" when the bytes look like UTF-16 text: a UTF-16 BOM, or
 * (without one) a NUL in every other byte of the start, as ASCII text in UTF-16 has.
 */
function utf16Kind(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'little-endian, with a byte-order mark';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'big-endian, with a byte-order mark';
  const pairs = Math.min(64, Math.floor(bytes.length / 2));
  if (pairs < 2) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < pairs; i++) {
    if (bytes[2 * i] === 0) evenNul++;
    if (bytes[2 * i + 1] === 0) oddNul++;
  }
  if (oddNul === pairs && evenNul === 0) return 'little-endian';
  if (evenNul === pairs && oddNul === 0) return 'big-endian';
  return undefined;
}

/**
 * The deepest nesting of mappings and lists in `doc` and the node where it is deepest, and the
 * offsets of keys that repeat one before them in their mapping; without recursion. yaml's own
 * duplicate-key check compares each key with every key before it, so a mapping of 20,000 keys
 * took minutes: here a set per mapping makes it linear. Keys compare as yaml compares them: the
 * same node, or scalars of the same value.
 */
function shapeOf(doc: Document.Parsed): { depth: number; node: Node | undefined; duplicates: number[] } {
  let deepest: { depth: number; node: Node | undefined } = { depth: 0, node: undefined };
  const duplicates: number[] = [];
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > deepest.depth) deepest = { depth, node };
    const seen = isMap(node) ? new Set<unknown>() : undefined;
    for (const item of node.items as unknown[]) {
      if (seen) {
        const pair = item as Pair;
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key) && isScalar(pair.key) && pair.key.range) duplicates.push(pair.key.range[0]);
        seen.add(key);
        stack.push({ node: pair.key, depth: depth + 1 }, { node: pair.value, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return { ...deepest, duplicates };
}

const TOO_DEEP_HINT = 'A spec nests a few levels deep: check that this is the right file.';

/** Decodes bytes as strict UTF-8, refusing binary input; a string is returned as it is. */
function decode(file: string, bytes: Uint8Array): { text?: string; diagnostic?: Diagnostic } {
  const at = (offset: number, message: string, hint: string): Diagnostic => {
    const before = bytes.subarray(0, offset);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < before.length; i++) {
      if (before[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    const column = offset - lineStart + 1;
    return { file, line, column, endLine: line, endColumn: column + 1, code: 'parse', message, hint };
  };
  const utf16 = utf16Kind(bytes);
  if (utf16)
    return {
      diagnostic: at(0, `is UTF-16 text (${utf16}); save it as UTF-8`, 'Save the file as UTF-8 (most editors: "Save with Encoding").'),
    };
  const nul = bytes.indexOf(0);
  if (nul !== -1)
    return { diagnostic: at(nul, 'is a binary file, not YAML (it holds a NUL byte)', 'Point shipshape at the YAML spec itself.') };
  try {
    let text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text };
  } catch {
    // Find the first byte that is not valid UTF-8, to point at it.
    let offset = 0;
    for (let end = 1; end <= bytes.length; end++) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(offset, end));
      } catch {
        if (end - offset >= 4 || end === bytes.length) break;
        continue;
      }
      offset = end;
    }
    return {
      diagnostic: at(
        offset,
        `is not valid UTF-8 (byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')})`,
        'Save the file as UTF-8.',
      ),
    };
  }
}

function rangeOf(lineCounter: LineCounter, start: number, end: number): Range {
  const from = lineCounter.linePos(start);
  const to = lineCounter.linePos(Math.max(start, end));
  return { line: from.line, column: from.col, endLine: to.line, endColumn: to.col };
}

function tooLarge(file: string, bytes: number, what = 'spec', known = true): ParsedYaml {
  return {
    file,
    text: '',
    doc: undefined,
    lineCounter: new LineCounter(),
    data: undefined,
    diagnostics: [
      {
        ...START,
        file,
        code: 'parse',
        message: `is ${known ? formatBytes(bytes, true) : `over ${formatBytes(MAX_FILE_BYTES)}`}; ${withArticle(what)} may be at most ${formatBytes(MAX_FILE_BYTES)}`,
        hint: `${withArticle(what).replace(/^a/, 'A')} this large is not ${withArticle(what)}: check that this is the right file.`,
      },
    ],
  };
}

/** Parses YAML text: one document, positions kept, aliases bounded. */
export function parseYamlText(file: string, input: string | Uint8Array, what = 'spec'): ParsedYaml {
  const lineCounter = new LineCounter();
  const fail = (diagnostic: Diagnostic, text = ''): ParsedYaml => ({
    file,
    text,
    doc: undefined,
    lineCounter,
    data: undefined,
    diagnostics: [diagnostic],
  });
  let text: string;
  if (typeof input === 'string') {
    if (Buffer.byteLength(input) > MAX_FILE_BYTES) return tooLarge(file, Buffer.byteLength(input), what);
    text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  } else {
    if (input.byteLength > MAX_FILE_BYTES) return tooLarge(file, input.byteLength, what);
    const decoded = decode(file, input);
    if (decoded.diagnostic) return fail(decoded.diagnostic);
    text = decoded.text!;
  }

  // Line ends of CR alone (classic Mac OS) are no line breaks to the YAML reader: the whole file
  // would read as its first line, a comment, and so as empty.
  if (text.includes('\r') && !text.includes('\n'))
    return fail(
      {
        ...START,
        file,
        code: 'parse',
        message: 'ends its lines with CR alone (classic Mac OS line ends), which YAML does not read as line breaks',
        hint: 'Save the file with LF (or CRLF) line ends.',
      },
      text,
    );
  // Duplicate keys are found by shapeOf, in linear time (yaml's own check is quadratic in a mapping's size).
  let docs: ReturnType<typeof parseAllDocuments<ParsedNode, true>>;
  try {
    docs = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: false, strict: true });
  } catch (error) {
    // yaml's reader recurses on some malformed input (thousands of lines indented under a scalar) and
    // throws out of the stack instead of reporting it: bad input, not a bug of ours.
    if (!(error instanceof RangeError)) throw error;
    return fail(
      {
        ...START,
        file,
        code: 'parse',
        message: 'is more than the YAML reader can take apart (it ran out of stack on it)',
        hint: 'Look for a long run of lines indented under a value that is not a mapping, or for a mapping of thousands of keys.',
      },
      text,
    );
  }
  if (!Array.isArray(docs)) {
    // An empty stream (only comments or whitespace).
    return fail({ ...START, file, code: 'parse', message: 'is empty', hint: 'Run `shipshape init` to write a spec.' }, text);
  }
  const doc = docs[0];
  if (!doc || doc.contents === null) {
    return fail({ ...START, file, code: 'parse', message: 'is empty', hint: 'Run `shipshape init` to write a spec.' }, text);
  }
  const diagnostics: Diagnostic[] = [];
  if (docs.length > 1) {
    const second = docs[1]!;
    const start = second.range[0];
    diagnostics.push({
      file,
      ...rangeOf(lineCounter, start, start),
      code: 'parse',
      message: `holds ${docs.length} YAML documents; a spec is exactly one`,
      hint: 'Remove the `---` separator and the documents after the first, or split them into files.',
    });
  }
  const shape = shapeOf(doc);
  const errors = [
    ...doc.errors.map((error) => ({ code: error.code as string, message: error.message, pos: error.pos })),
    ...shape.duplicates.map((at) => ({ code: 'DUPLICATE_KEY', message: 'Map keys must be unique', pos: [at, at + 1] as const })),
  ].sort((a, b) => a.pos[0] - b.pos[0]);
  for (const error of errors) {
    const [start, end] = error.pos;
    if (/Maximum call stack size exceeded/.test(error.message)) {
      // The reader gave up on a nesting far past ours: one diagnostic, in our words.
      if (diagnostics.some((d) => d.message.startsWith('nests more than'))) continue;
      diagnostics.push({
        file,
        ...rangeOf(lineCounter, start, end),
        code: 'parse',
        message: `nests more than ${MAX_NESTING} levels deep; ${withArticle(what)} may nest at most ${MAX_NESTING}`,
        hint: TOO_DEEP_HINT,
      });
      continue;
    }
    const firstLine = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const message =
      error.code === 'DUPLICATE_KEY'
        ? `duplicate key ${JSON.stringify((/^[^:\n]*/.exec(text.slice(start))?.[0] ?? '').trim())}: a key may appear once in a mapping`
        : `YAML syntax error: ${firstLine}`;
    diagnostics.push({ file, ...rangeOf(lineCounter, start, end), code: 'parse', message });
  }
  if (diagnostics.length > 0) return { file, text, doc, lineCounter, data: undefined, diagnostics };
  const nesting = shape;
  if (nesting.depth > MAX_NESTING) {
    const range = nesting.node?.range;
    return fail(
      {
        file,
        ...(range ? rangeOf(lineCounter, range[0], range[0] + 1) : START),
        code: 'parse',
        message: `nests ${nesting.depth} levels deep; ${withArticle(what)} may nest at most ${MAX_NESTING}`,
        hint: TOO_DEEP_HINT,
      },
      text,
    );
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const aliasAt = text.search(/\*[^\s,\]}]+/);
    const at = aliasAt === -1 ? START : rangeOf(lineCounter, aliasAt, aliasAt + 1);
    return {
      file,
      text,
      doc,
      lineCounter,
      data: undefined,
      diagnostics: [
        {
          file,
          ...at,
          code: 'parse',
          message: /alias/i.test(String(error))
            ? `expands too many aliases (more than ${MAX_ALIAS_COUNT}); refusing what looks like a billion-laughs file`
            : `could not be read: ${String(error)}`,
          hint: 'Write the values out instead of reusing them through anchors and aliases.',
        },
      ],
    };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return fail(
      { file, ...rangeOf(lineCounter, doc.range[0], doc.range[1]), code: 'parse', message: 'must be a YAML mapping of keys to values' },
      text,
    );
  }
  return { file, text, doc, lineCounter, data, diagnostics };
}

/**
 * Reads and parses a YAML file through the bounded reader (fs/read.ts): a file that cannot be
 * read (a pipe, a device, a folder, too large, no permission) is a diagnostic of that file, so
 * that `check` of many files reports it and goes on with the others. `what` names the file in
 * messages ("spec", "policy file", "answers file").
 */
export async function readYamlFile(file: string, displayName = file, what = 'spec'): Promise<ParsedYaml> {
  let bytes: Buffer;
  try {
    bytes = readFileBoundedSync(file, { maxBytes: MAX_FILE_BYTES, what, display: displayName });
  } catch (error) {
    if (!(error instanceof ReadError)) throw error;
    // A missing file stays the errno error it always was: callers word it for their file.
    if (error.reason === 'missing') throw error.cause;
    if (error.reason === 'too-large')
      return tooLarge(displayName, error.bytes ?? MAX_FILE_BYTES + 1, what, (error.bytes ?? 0) > MAX_FILE_BYTES + 1);
    return {
      file: displayName,
      text: '',
      doc: undefined,
      lineCounter: new LineCounter(),
      data: undefined,
      diagnostics: [{ ...START, file: displayName, code: 'parse', message: `cannot be read: ${error.detail}`, hint: error.hint }],
    };
  }
  return parseYamlText(displayName, bytes, what);
}

interface Located {
  node?: Node | null;
  pair?: Pair;
  /** How many segments of the path exist in the document. */
  depth: number;
}

/**
 * The pairs of a large mapping by key, built on the first look into it: locating each of thousands
 * of findings by scanning the mapping's items made `check` quadratic in a mapping's size. The first
 * pair of a key wins, as a scan would find it.
 */
const pairsByKey = new WeakMap<object, Map<string, Pair>>();
const INDEX_FROM = 32;
function pairOf(map: { items: Pair[] }, segment: PathSegment): Pair | undefined {
  if (map.items.length < INDEX_FROM) return map.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
  let index = pairsByKey.get(map);
  if (!index) {
    index = new Map();
    for (const item of map.items) {
      if (!isScalar(item.key)) continue;
      const key = String(item.key.value);
      if (!index.has(key)) index.set(key, item);
    }
    pairsByKey.set(map, index);
  }
  return index.get(String(segment));
}

function walk(doc: Document.Parsed, path: DocPath): Located {
  let node: unknown = doc.contents;
  let pair: Pair | undefined;
  let depth = 0;
  for (const segment of path) {
    if (isMap(node)) {
      const found = pairOf(node as { items: Pair[] }, segment);
      if (!found) break;
      pair = found;
      node = found.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      pair = undefined;
      node = item;
    } else {
      break;
    }
    depth++;
  }
  return { node: node as Node | null, ...(pair ? { pair } : {}), depth };
}

/**
 * The range of the value at `path`, or of its key when `key` is set. A path that does not exist
 * is located at its deepest existing ancestor (where a missing key would go).
 */
export function locate(parsed: Pick<ParsedYaml, 'doc' | 'lineCounter'>, path: DocPath, options: { key?: boolean } = {}): Range {
  if (!parsed.doc) return START;
  const found = walk(parsed.doc, path);
  if (found.depth === path.length && options.key && found.pair && isScalar(found.pair.key) && found.pair.key.range) {
    const [start, end] = found.pair.key.range;
    return rangeOf(parsed.lineCounter, start, end);
  }
  if (found.depth < path.length && found.pair && isScalar(found.pair.key) && found.pair.key.range) {
    // A missing child: point at the key of the map that should hold it.
    const [start, end] = found.pair.key.range;
    return rangeOf(parsed.lineCounter, start, end);
  }
  const node = found.node;
  if (node && node.range) {
    const [start, end] = node.range;
    return rangeOf(parsed.lineCounter, start, end);
  }
  if (found.pair && isScalar(found.pair.key) && found.pair.key.range) {
    const [start, end] = found.pair.key.range;
    return rangeOf(parsed.lineCounter, start, end);
  }
  return START;
}

/** The keys a strict object schema accepts at `path`, for did-you-mean. */
function knownKeys(schema: z.ZodType, path: DocPath): string[] {
  const def = defOf(schemaAt(schema, path));
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Validates parsed data with a zod schema; every issue becomes a diagnostic at its place. */
export function validate<T>(
  parsed: ParsedYaml,
  schema: z.ZodType<T>,
  /** The schema's answer for `parsed.data`, when the caller has it already. */
  result: z.ZodSafeParseResult<T> = schema.safeParse(parsed.data),
): { data?: T; diagnostics: Diagnostic[] } {
  if (result.success) return { data: result.data, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, path);
      for (const key of issue.keys) {
        const suggestion = didYouMean(key, known);
        const where = path.length ? ` in ${formatPath(path)}` : '';
        diagnostics.push({
          file: parsed.file,
          ...locate(parsed, [...path, key], { key: true }),
          code: 'schema',
          message: `unknown key "${key}"${where}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
          hint: suggestion ? `Rename "${key}" to "${suggestion}".` : `Known keys here: ${known.join(', ')}.`,
          path: [...path, key],
          unknownKey: true,
          ...(suggestion ? { suggestion } : {}),
        });
      }
      continue;
    }
    const missing = valueAt(parsed.data, path) === undefined && path.length > 0;
    const name = formatPath(path) || 'the spec';
    diagnostics.push({
      file: parsed.file,
      ...locate(parsed, path),
      code: 'schema',
      message: missing ? `${name} is required` : `${name} ${issue.message}`,
      path,
    });
  }
  return { diagnostics };
}
