/**
 * Edits of a spec that keep the user's file as they wrote it. The `yaml` library can re-serialise
 * a document, but that moves section comments and collapses aligned end-of-line comments, so the
 * document is only read here: node ranges say where things are, and each edit splices new text
 * into the original. Everything outside an edit stays byte-identical.
 */
import { isDeepStrictEqual } from 'node:util';
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, type Node, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { BugError, UserError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { SPEC_FILE } from './locate.js';
import { parseYamlText, type ParsedYaml } from './yaml-file.js';
import { formatPath, valueAt } from './doc-path.js';
import { columnOf, detectLayout, isLeaf, isPlainObject, lineEnd, pad, Renderer, type Layout, type Mode } from './yaml-render.js';
import { readFileBounded } from '../fs/read.js';
import { lazilyParsed, quickData } from './fast-load.js';

export interface SpecEdit {
  path: readonly (string | number)[];
  value: unknown;
  /** Leave a value the user already set alone (an empty `key:` counts as not set). */
  onlyIfAbsent?: boolean;
}

type Path = readonly (string | number)[];
interface Splice {
  start: number;
  end: number;
  insert: string;
}

type Container = { kind: 'map'; map: YAMLMap; keyNode: Node } | { kind: 'seq'; seq: YAMLSeq };

type Found =
  | { kind: 'present'; node: Node; in: Container }
  | { kind: 'missing-key'; map: YAMLMap; key: string | number; rest: Path }
  | { kind: 'missing-item'; seq: YAMLSeq; rest: Path }
  /** An empty `key:` (or explicit null) on the way: it becomes the missing part of the path. */
  | { kind: 'null'; node: Node; in: Container; at: Path; rest: Path }
  | { kind: 'blocked'; at: Path; what: string };

/** The plain data an edit sets: undefined properties dropped, as the yaml library would. */
function normalise(value: unknown, path: Path): unknown {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
    throw new BugError(`cannot write ${typeof value} at ${formatPath(path)}`);
  }
  if (Array.isArray(value)) return value.map((item, k) => normalise(item, [...path, k]));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = normalise(item, [...path, key]);
    return out;
  }
  return value;
}

function isEmptyNull(node: unknown): node is Scalar {
  return isScalar(node) && node.value === null && node.range !== undefined && node.range !== null && node.range[0] === node.range[1];
}

function skipBackBlanks(text: string, pos: number, floor = 0): number {
  let at = pos;
  while (at > floor && (text[at - 1] === ' ' || text[at - 1] === '\t')) at--;
  return at;
}

function skipBackWhitespace(text: string, pos: number, floor: number): number {
  let at = pos;
  while (at > floor && /\s/.test(text[at - 1]!)) at--;
  return at;
}

function rangeOf(node: Node): [number, number, number] {
  if (!node.range) throw new BugError('a parsed YAML node has no source range');
  return node.range;
}

/** Where the text of a node ends: its last character that is not whitespace or a trailing comment. */
function contentEnd(text: string, node: Node): number {
  const [start, end] = rangeOf(node);
  if (isCollection(node) && !node.flow) {
    const last = node.items.at(-1);
    if (isPair(last)) {
      const value = last.value as Node | null;
      if (value && !isEmptyNull(value)) return contentEnd(text, value);
      return afterIndicator(text, value ?? null, last.key as Node);
    }
    if (last && !isEmptyNull(last)) return contentEnd(text, last as Node);
  }
  return Math.max(start, skipBackWhitespace(text, end, start));
}

/** Just after the `:` (or `-`) that an empty value follows. */
function afterIndicator(text: string, value: Node | null, key: Node | undefined): number {
  if (value?.range) {
    const at = skipBackBlanks(text, value.range[0]);
    if (text[at - 1] === ':' || text[at - 1] === '-') return at;
  }
  if (key?.range) {
    let at = key.range[1];
    while (text[at] === ' ' || text[at] === '\t') at++;
    if (text[at] === ':') return at + 1;
  }
  throw new BugError('cannot find where an empty YAML value goes');
}

function walk(parsed: ParsedYaml, path: Path): Found {
  let node = parsed.doc!.contents as Node | null;
  let container: Container | undefined;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const rest = path.slice(i + 1);
    if (isAlias(node)) {
      throw new UserError(`cannot edit ${formatPath(path)}: ${formatPath(path.slice(0, i)) || 'the spec'} is a YAML alias`, {
        hint: 'Write the value out instead of reusing it through an anchor and an alias.',
      });
    }
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return { kind: 'missing-key', map: node, key: segment, rest };
      container = { kind: 'map', map: node, keyNode: pair.key as Node };
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof segment === 'number') {
      if (segment === node.items.length) return { kind: 'missing-item', seq: node, rest };
      const item = node.items[segment] as Node | undefined;
      if (!item) return { kind: 'blocked', at: path.slice(0, i + 1), what: `a list of ${node.items.length}` };
      container = { kind: 'seq', seq: node };
      node = item;
    } else if (isScalar(node) && node.value === null && container) {
      return { kind: 'null', node, in: container, at: path.slice(0, i), rest: path.slice(i) };
    } else {
      const what = isSeq(node)
        ? 'a list'
        : isMap(node)
          ? 'a map'
          : isScalar(node)
            ? `the value ${JSON.stringify(node.value)}`
            : 'not a map';
      return { kind: 'blocked', at: path.slice(0, i), what };
    }
    if (!node) throw new BugError(`${formatPath(path.slice(0, i + 1))} has no node`);
  }
  if (!node || !container) throw new BugError('cannot edit the whole spec at once');
  return { kind: 'present', node, in: container };
}

/** The value `rest` describes below a missing key: `['retry', 'maxAttempts']` → `{ retry: { maxAttempts: v } }`. */
function nest(rest: Path, value: unknown, path: Path): unknown {
  let out = value;
  for (let i = rest.length - 1; i >= 0; i--) {
    const segment = rest[i]!;
    if (typeof segment === 'number') {
      if (segment !== 0) throw new BugError(`cannot set ${formatPath(path)}: the list before it does not exist, so item ${segment} cannot`);
      out = [out];
    } else {
      out = { [segment]: out };
    }
  }
  return out;
}

function containerIsFlow(where: Container): boolean {
  return where.kind === 'map' ? Boolean(where.map.flow) : Boolean(where.seq.flow);
}

function containerColumn(text: string, where: Container): number {
  const node = where.kind === 'map' ? where.keyNode : where.seq;
  return columnOf(text, rangeOf(node)[0]);
}

/** Replaces the value `node` holds with `value`. */
function replaceValue(text: string, render: Renderer, layout: Layout, node: Node, where: Container, value: unknown, path: Path): Splice {
  const [start] = rangeOf(node);
  const type = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') ? node.type : undefined;
  if (isEmptyNull(node)) {
    // `key:` with nothing after it (maybe a comment): the value goes right after the indicator.
    const at = afterIndicator(text, node, where.kind === 'map' ? where.keyNode : undefined);
    if (containerIsFlow(where)) return { start: at, end: at, insert: ` ${render.flow(value)}` };
    const base = containerColumn(text, where);
    const mode: Mode = path.length === 1 ? 'block' : 'auto';
    const inline = render.inline(value, columnOf(text, at) + 1, base, mode);
    if (inline) return keepCommentColumn(text, { start: at, end: at, insert: ` ${inline.join(layout.eol)}` });
    const lines = render.block(value, render.childColumn(value, base));
    const end = lineEnd(text, at);
    return { start: end, end, insert: layout.eol + lines.join(layout.eol) };
  }
  const wasFlow = isCollection(node) && Boolean(node.flow);
  const wasBlock = isCollection(node) && !node.flow;
  // An end-of-line comment inside a replaced block belonged to one of its entries: it goes with them.
  const end = wasBlock ? lineEnd(text, contentEnd(text, node)) : contentEnd(text, node);
  if (containerIsFlow(where)) return keepCommentColumn(text, { start, end, insert: render.flow(value, type) });

  // A collection keeps the style of the one it replaces; a section is always a block.
  const mode: Mode = wasFlow && !isLeaf(value) ? 'flow' : wasBlock || path.length === 1 ? 'block' : 'auto';
  const base = containerColumn(text, where);
  const col = columnOf(text, start);
  const inline = render.inline(value, col, base, mode, type);

  if (where.kind === 'seq') {
    // After `- ` a block collection may start on the dash's line, so every value stays in place.
    if (inline) return keepCommentColumn(text, { start, end, insert: inline.join(layout.eol) });
    const lines = render.block(value, col);
    return { start, end, insert: [lines[0]!.slice(col), ...lines.slice(1)].join(layout.eol) };
  }
  if (inline) {
    if (wasBlock) {
      // Pull the value up to the key's line, unless a comment sits between them.
      const colon = afterIndicator(text, null, where.keyNode);
      if (text.slice(colon, start).trim() === '') return { start: colon, end, insert: ` ${inline.join(layout.eol)}` };
    }
    return keepCommentColumn(text, { start, end, insert: inline.join(layout.eol) });
  }
  if (wasBlock) {
    const lines = render.block(value, col);
    return { start, end, insert: [lines[0]!.slice(col), ...lines.slice(1)].join(layout.eol) };
  }
  // A value on the key's line becomes a block below it; an end-of-line comment keeps its column.
  const lines = render.block(value, render.childColumn(value, base));
  const eolAt = lineEnd(text, end);
  const tail = text.slice(end, eolAt);
  const sameLine = !text.slice(start, end).includes('\n');
  const kept = tail.trim() === '' ? '' : (sameLine ? pad(end - start) : ' ') + tail;
  const from = kept === '' ? skipBackBlanks(text, start) : start;
  return { start: from, end: eolAt, insert: kept + layout.eol + lines.join(layout.eol) };
}

/** An aligned end-of-line comment (two spaces or more before it) stays in its column when a value on its line changes length. */
function keepCommentColumn(text: string, splice: Splice): Splice {
  if (splice.insert.includes('\n') || text.slice(splice.start, splice.end).includes('\n')) return splice;
  const end = lineEnd(text, splice.end);
  const match = /^([^#'"]*?)( {2,})#/.exec(text.slice(splice.end, end));
  if (!match) return splice;
  const [, between = '', spaces = ''] = match;
  const grown = splice.insert.length - (splice.end - splice.start);
  const kept = pad(Math.max(1, spaces.length - grown));
  return { start: splice.start, end: splice.end + between.length + spaces.length, insert: splice.insert + between + kept };
}

function insertKey(
  text: string,
  render: Renderer,
  layout: Layout,
  parsed: ParsedYaml,
  map: YAMLMap,
  key: string | number,
  value: unknown,
): Splice {
  const [start] = rangeOf(map);
  if (map.flow) {
    const entry = `${render.flow(key)}: ${render.flow(value)}`;
    const last = map.items.at(-1);
    if (!last) return { start, end: contentEnd(text, map), insert: render.flow({ [key]: value }) };
    const lastNode = ((last.value as Node | null) ?? last.key) as Node;
    const at = isEmptyNull(lastNode) ? afterIndicator(text, lastNode, last.key as Node) : contentEnd(text, lastNode);
    return { start: at, end: at, insert: `, ${entry}` };
  }
  if (map === parsed.doc!.contents) {
    // A new section goes at the end of the file, after a blank line like the others.
    const lines = render.entry(key, value, 0, 'block');
    const { eol } = layout;
    const endsWithBreak = text.endsWith('\n');
    const body = text.slice(0, skipBackWhitespace(text, text.length, 0));
    const blank = /\n[ \t]*\r?\n[ \t]*$/.test(text) || body === '';
    const insert = (endsWithBreak ? '' : eol) + (blank ? '' : eol) + lines.join(eol) + (endsWithBreak ? eol : '');
    return { start: text.length, end: text.length, insert };
  }
  const col = columnOf(text, start);
  const at = lineEnd(text, contentEnd(text, map));
  return { start: at, end: at, insert: layout.eol + render.entry(key, value, col, 'auto').join(layout.eol) };
}

function appendItem(text: string, render: Renderer, layout: Layout, seq: YAMLSeq, value: unknown): Splice {
  const [start] = rangeOf(seq);
  if (seq.flow) {
    const last = seq.items.at(-1) as Node | undefined;
    if (!last) return { start, end: contentEnd(text, seq), insert: render.flow([value]) };
    const at = contentEnd(text, last);
    return { start: at, end: at, insert: `, ${render.flow(value)}` };
  }
  // A new item looks like its siblings: on one line if they are, in block style if they are.
  const sibling = seq.items.find((item) => isCollection(item));
  const mode: Mode | undefined = isCollection(sibling) ? (sibling.flow ? 'flow' : 'block') : undefined;
  const col = columnOf(text, start);
  const at = lineEnd(text, contentEnd(text, seq));
  return { start: at, end: at, insert: layout.eol + render.block([value], col, mode).join(layout.eol) };
}

function withValue(data: unknown, path: Path, value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const inner = data !== null && typeof data === 'object' ? (data as Record<string | number, unknown>)[head] : undefined;
  if (typeof head === 'number' && (Array.isArray(data) || data === null || data === undefined)) {
    const copy = Array.isArray(data) ? [...(data as unknown[])] : [];
    copy[head] = withValue(inner, rest, value);
    return copy;
  }
  const base = data !== null && typeof data === 'object' && !Array.isArray(data) ? data : {};
  return { ...base, [head]: withValue(inner, rest, value) };
}

function parseOrThrow(file: string, text: string | Uint8Array): ParsedYaml {
  const parsed = parseYamlText(file, text);
  const problem = parsed.diagnostics[0];
  if (problem) {
    throw new UserError(problem.message, {
      file: problem.file,
      position: { line: problem.line, column: problem.column },
      hint: problem.hint ?? 'Fix the YAML first; shipshape edits only a file it can read.',
    });
  }
  return parsed;
}

function splitBom(text: string): { bom: string; body: string } {
  return text.charCodeAt(0) === 0xfeff ? { bom: text.slice(0, 1), body: text.slice(1) } : { bom: '', body: text };
}

function applyEditsAs(file: string, input: string, edits: readonly SpecEdit[]): { text: string; applied: SpecEdit[]; skipped: SpecEdit[] } {
  const { bom, body } = splitBom(input);
  let text = body;
  let parsed = parseOrThrow(file, text);
  const applied: SpecEdit[] = [];
  const skipped: SpecEdit[] = [];
  for (const edit of edits) {
    const value = normalise(edit.value, edit.path);
    const layout = detectLayout(text, parsed);
    const render = new Renderer(layout);
    const found = walk(parsed, edit.path);
    let splice: Splice | undefined;
    switch (found.kind) {
      case 'present': {
        const current = valueAt(parsed.data, edit.path);
        const absent = isEmptyNull(found.node);
        if ((edit.onlyIfAbsent && !absent) || (!absent && isDeepStrictEqual(current, value))) break;
        splice = replaceValue(text, render, layout, found.node, found.in, value, edit.path);
        break;
      }
      case 'null':
        if (edit.onlyIfAbsent && !isEmptyNull(found.node)) break;
        splice = replaceValue(text, render, layout, found.node, found.in, nest(found.rest, value, edit.path), found.at);
        break;
      case 'missing-key':
        splice = insertKey(text, render, layout, parsed, found.map, found.key, nest(found.rest, value, edit.path));
        break;
      case 'missing-item':
        splice = appendItem(text, render, layout, found.seq, nest(found.rest, value, edit.path));
        break;
      case 'blocked':
        // Never replace what the user wrote to make room for a default.
        if (edit.onlyIfAbsent) break;
        throw new BugError(`cannot set ${formatPath(edit.path)}: ${formatPath(found.at) || 'the spec'} is ${found.what}`);
    }
    if (!splice) {
      skipped.push(edit);
      continue;
    }
    const next = text.slice(0, splice.start) + splice.insert + text.slice(splice.end);
    parsed = verify(file, next, withValue(parsed.data, edit.path, value), edit.path);
    text = next;
    applied.push(edit);
  }
  return { text: bom + text, applied, skipped };
}

/**
 * The edited text must parse and hold exactly the old data with the new value at its path. The
 * quick look (fast-load.ts) reads exactly the data the full parse would, or leaves the text to it:
 * when its data is the expected one, the Document is parsed only if a later edit needs it.
 */
function verify(file: string, text: string, expected: unknown, path: Path): ParsedYaml {
  const quick = quickData(text);
  if (quick && isDeepStrictEqual(quick.data, expected)) return lazilyParsed(file, text, quick);
  const parsed = parseYamlText(file, text);
  const problem = parsed.diagnostics[0];
  if (problem) throw new BugError(`editing ${formatPath(path)} broke the YAML: ${problem.line}:${problem.column} ${problem.message}`);
  if (!isDeepStrictEqual(parsed.data, expected)) {
    const got = JSON.stringify(valueAt(parsed.data, path));
    throw new BugError(`editing ${formatPath(path)} did not give the expected document (the value there is ${got})`);
  }
  return parsed;
}

/** Applies edits in order to YAML text; returns the new text and which edits changed something. */
export function applyEdits(text: string, edits: readonly SpecEdit[]): { text: string; applied: SpecEdit[]; skipped: SpecEdit[] } {
  return applyEditsAs(SPEC_FILE, text, edits);
}

/** Reads the file, applies the edits, writes atomically (writeFileAtomic from src/fs/atomic.ts) only when the text changed; refuses (UserError) a file that does not parse. */
export async function editSpecFile(
  path: string,
  edits: readonly SpecEdit[],
): Promise<{ changed: boolean; applied: SpecEdit[]; skipped: SpecEdit[] }> {
  const { text, changed, applied, skipped } = await editedSpecText(path, edits);
  if (changed) await writeFileAtomic(path, text);
  return { changed, applied, skipped };
}

/** The spec file's text after the edits, not written: for writing it together with other files. */
export async function editedSpecText(
  path: string,
  edits: readonly SpecEdit[],
): Promise<{ text: string; changed: boolean; applied: SpecEdit[]; skipped: SpecEdit[] }> {
  const bytes = await readFileBounded(path, { what: 'spec' });
  // The reader's checks (size, binary, UTF-8) first, so a bad file is refused at its place.
  parseOrThrow(path, bytes);
  const before = bytes.toString('utf8');
  const { text, applied, skipped } = applyEditsAs(path, before, edits);
  return { text, changed: text !== before, applied, skipped };
}
