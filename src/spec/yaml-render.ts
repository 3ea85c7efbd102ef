/**
 * Renders new YAML values in the style of the file they go into: its indentation, whether
 * sequences are indented under their key, flow-collection padding and line ends.
 */
import { Document, isCollection, isMap, isSeq, visit, type Node, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { BugError } from '../errors.js';
import type { ParsedYaml } from './yaml-file.js';

/** A small leaf map or list goes on one line (`{ min: 99.5 }`) when the whole line fits in this. */
const FLOW_LINE_WIDTH = 80;
const MAX_FLOW_MAP_KEYS = 4;

export type Mode = 'auto' | 'flow' | 'block';

export interface Layout {
  eol: string;
  indent: number;
  /** Whether a block sequence under a key is indented (`key:\n  - x`) or not (`key:\n- x`). */
  indentSeq: boolean;
  flowMapPadding: boolean;
  flowSeqPadding: boolean;
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
export const isLeaf = (value: unknown): boolean => typeof value !== 'object' || value === null;
export const pad = (n: number): string => ' '.repeat(n);

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

/** The end of the line holding `pos`, before its line break. */
export function lineEnd(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  if (nl === -1) return text.length;
  return nl > 0 && text[nl - 1] === '\r' ? nl - 1 : nl;
}

export const columnOf = (text: string, pos: number): number => pos - lineStart(text, pos);

export function detectLayout(text: string, parsed: ParsedYaml): Layout {
  const layout: Layout = {
    eol: text.includes('\r\n') ? '\r\n' : '\n',
    indent: 2,
    indentSeq: true,
    flowMapPadding: true,
    flowSeqPadding: false,
  };
  const seen = { indent: false, indentSeq: false, flowMap: false, flowSeq: false };
  visit(parsed.doc!, {
    Pair(_, pair) {
      const key = pair.key as Node | null;
      const value = pair.value as Node | null;
      if (!key?.range || !isCollection(value) || value.flow || !value.range) return;
      const delta = columnOf(text, value.range[0]) - columnOf(text, key.range[0]);
      if (isMap(value) && !seen.indent && delta > 0) {
        layout.indent = delta;
        seen.indent = true;
      }
      if (isSeq(value) && !seen.indentSeq) {
        layout.indentSeq = delta > 0;
        seen.indentSeq = true;
      }
    },
    Map(_, map) {
      if (map.flow && map.range && map.items.length > 0 && !seen.flowMap) {
        layout.flowMapPadding = text[map.range[0] + 1] === ' ';
        seen.flowMap = true;
      }
    },
    Seq(_, seq) {
      if (seq.flow && seq.range && seq.items.length > 0 && !seen.flowSeq) {
        layout.flowSeqPadding = text[seq.range[0] + 1] === ' ';
        seen.flowSeq = true;
      }
    },
  });
  return layout;
}

/** Renders new values in the file's own style; lines come with their absolute indentation. */
export class Renderer {
  private readonly options: { indent: number; lineWidth: number; minContentWidth: number };
  constructor(private readonly layout: Layout) {
    this.options = { indent: layout.indent, lineWidth: 0, minContentWidth: 0 };
  }

  /** A scalar or a collection on one line, safe inside `{ }` and `[ ]`. */
  flow(value: unknown, type?: Scalar.Type): string {
    if (Array.isArray(value)) {
      if (value.length === 0) return '[]';
      const inner = value.map((item) => this.flow(item)).join(', ');
      return this.layout.flowSeqPadding ? `[ ${inner} ]` : `[${inner}]`;
    }
    if (isPlainObject(value)) {
      const entries = Object.entries(value);
      if (entries.length === 0) return '{}';
      const inner = entries.map(([key, item]) => `${this.flow(key)}: ${this.flow(item)}`).join(', ');
      return this.layout.flowMapPadding ? `{ ${inner} }` : `{${inner}}`;
    }
    // The yaml library would write a multi-line plain scalar here; JSON is valid double-quoted YAML.
    if (typeof value === 'string' && value.includes('\n')) return JSON.stringify(value);
    const doc = new Document([value]);
    const seq = doc.contents as YAMLSeq<Scalar>;
    seq.flow = true;
    const item = seq.items[0];
    if (type && item && typeof value === 'string') item.type = type;
    return doc
      .toString({ ...this.options, flowCollectionPadding: false })
      .trimEnd()
      .slice(1, -1);
  }

  /** A scalar after `key: ` or `- `; a multi-line string becomes a block scalar indented from `base`. */
  scalar(value: unknown, base: number, type?: Scalar.Type): string[] {
    const doc = new Document({ k: value });
    const item = (doc.contents as YAMLMap<Scalar, Scalar>).items[0]?.value;
    if (type && item && typeof value === 'string') item.type = type;
    const [first = '', ...rest] = doc.toString(this.options).replace(/\n$/, '').split('\n');
    return [first.slice('k: '.length), ...rest.map((line) => (line === '' ? '' : pad(base) + line))];
  }

  /** The value on the current line, or undefined when it needs lines of its own. */
  inline(value: unknown, lineLength: number, base: number, mode: Mode, type?: Scalar.Type): string[] | undefined {
    if (isLeaf(value)) return this.scalar(value, base, type);
    const empty = Array.isArray(value) ? value.length === 0 : Object.keys(value as object).length === 0;
    if (empty || mode === 'flow') return [this.flow(value)];
    if (mode === 'block' || !this.smallLeaf(value)) return undefined;
    const text = this.flow(value);
    return lineLength + text.length <= FLOW_LINE_WIDTH ? [text] : undefined;
  }

  private smallLeaf(value: unknown): boolean {
    const leaf = (item: unknown) => isLeaf(item) && !(typeof item === 'string' && item.includes('\n'));
    if (Array.isArray(value)) return value.every(leaf);
    return isPlainObject(value) && Object.keys(value).length <= MAX_FLOW_MAP_KEYS && Object.values(value).every(leaf);
  }

  /** `key: value` at column `col`, the value in block style when it does not fit on the line. */
  entry(key: string | number, value: unknown, col: number, mode: Mode): string[] {
    const head = `${pad(col)}${this.flow(key)}:`;
    const inline = this.inline(value, head.length + 1, col, mode);
    if (inline) return [`${head} ${inline[0]}`, ...inline.slice(1)];
    return [head, ...this.block(value, this.childColumn(value, col))];
  }

  childColumn(value: unknown, keyColumn: number): number {
    return keyColumn + (Array.isArray(value) && !this.layout.indentSeq ? 0 : this.layout.indent);
  }

  /** The lines of a non-empty collection in block style, at column `col`. */
  block(value: unknown, col: number, itemMode?: Mode): string[] {
    if (isPlainObject(value)) return Object.entries(value).flatMap(([key, item]) => this.entry(key, item, col, 'auto'));
    if (!Array.isArray(value)) throw new BugError('only a collection has block lines');
    // Items of one list look alike: all on one line each, or none.
    const mode = itemMode ?? (value.every((item) => isLeaf(item) || this.fitsOnItemLine(item, col)) ? 'auto' : 'block');
    return value.flatMap((item) => this.item(item, col, mode));
  }

  private fitsOnItemLine(item: unknown, col: number): boolean {
    return this.inline(item, col + 2, col, 'auto') !== undefined;
  }

  /** `- item` at column `col`; a block map or list starts on the dash's line. */
  item(value: unknown, col: number, mode: Mode): string[] {
    const head = `${pad(col)}-`;
    const inline = this.inline(value, head.length + 1, col, mode);
    if (inline) return [`${head} ${inline[0]}`, ...inline.slice(1)];
    const [first = '', ...rest] = this.block(value, col + 2);
    return [`${head} ${first.slice(col + 2)}`, ...rest];
  }
}
