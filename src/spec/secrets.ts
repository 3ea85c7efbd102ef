/**
 * Secrets in a spec file, found in its raw text whatever the YAML parse or the schema says: in
 * values, in keys, in comments, in a file that does not parse. `check` reports them (rule
 * no-secrets), every stage that builds on the spec refuses them (refuseSecrets), and every
 * message that quotes the spec masks them (maskDiagnostics, and text/secrets.ts for any text).
 */
import { isMap, isNode, isScalar, isSeq, type Node } from 'yaml';
import { UserError } from '../errors.js';
import { withArticle } from '../fs/read.js';
import { findSecrets, knownSecrets, maskSecrets, type KnownSecret } from '../text/secrets.js';
import { formatPath, type DocPath } from './doc-path.js';
import { locate, type Diagnostic, type ParsedYaml, type Range } from './yaml-file.js';

export interface SpecSecret {
  kind: string;
  /** The environment variable to suggest in its place. */
  env: string;
  /** The secret itself: for masking it wherever it is quoted, never for showing. */
  secret: string;
  masked: string;
  /** Where the secret itself is in the file. */
  range: Range;
  /**
   * `value`: in the value at `path`; `key`: a key of the mapping at `path`; `comment`: in a
   * comment; `text`: somewhere the YAML parse could not place (a file that does not parse).
   */
  place: 'value' | 'key' | 'comment' | 'text';
  path?: DocPath;
}

/** Line and column (1-based, as yaml's LineCounter counts them) of offsets into `text`. */
function positions(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - starts[low]! + 1 };
  };
}

interface Span {
  start: number;
  end: number;
  place: 'key' | 'value';
  path: DocPath;
}

/** The keys and scalar values of a document, in file order, each with its path. */
function spansOf(node: unknown, path: DocPath, spans: Span[]): Span[] {
  if (!isNode(node) || !node.range) return spans;
  if (isScalar(node)) {
    spans.push({ start: node.range[0], end: node.range[1], place: 'value', path });
  } else if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      if (isNode(key) && key.range) spans.push({ start: key.range[0], end: key.range[1], place: 'key', path });
      spansOf(pair.value, [...path, isScalar(key) ? String(key.value) : String(key)], spans);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => spansOf(item, [...path, i], spans));
  }
  return spans;
}

/** The span that holds `offset` (spans do not overlap; binary search, as a file may hold thousands). */
function spanAt(spans: readonly Span[], offset: number): Span | undefined {
  let low = 0;
  let high = spans.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const span = spans[mid]!;
    if (offset < span.start) high = mid - 1;
    else if (offset >= span.end) low = mid + 1;
    else return span;
  }
  return undefined;
}

/** Strings of the parsed data (keys too), for secrets the raw text spells with escapes. */
function* stringsOf(value: unknown, path: DocPath): Generator<{ path: DocPath; value: string; key: boolean }> {
  if (typeof value === 'string') {
    yield { path, value, key: false };
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* stringsOf(value[i], [...path, i]);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      yield { path: [...path, key], value: key, key: true };
      yield* stringsOf(child, [...path, key]);
    }
  }
}

const found = new WeakMap<ParsedYaml, readonly SpecSecret[]>();

/**
 * Every secret in a spec file, in file order. The raw text is what is scanned, so comments, keys
 * and files that do not parse or fail the schema are covered; the parsed strings are scanned too
 * when the text has escapes, for a secret written with them. Remembered per parse.
 */
export function specSecrets(parsed: ParsedYaml): readonly SpecSecret[] {
  const known = found.get(parsed);
  if (known) return known;
  const { text } = parsed;
  const raw = findSecrets(text);
  const secrets: SpecSecret[] = [];
  if (raw.length > 0) {
    const at = positions(text);
    const spans = parsed.doc ? spansOf(parsed.doc.contents, [], []).sort((a, b) => a.start - b.start) : [];
    for (const match of raw) {
      const from = at(match.start);
      const to = at(match.end);
      const placed = spanAt(spans, match.start);
      const lineBefore = text.slice(text.lastIndexOf('\n', match.start - 1) + 1, match.start);
      const place = placed?.place ?? (/(?:^|\s)#/.test(lineBefore) ? 'comment' : 'text');
      secrets.push({
        kind: match.kind,
        env: match.env,
        secret: match.secret,
        masked: match.masked,
        range: { line: from.line, column: from.column, endLine: to.line, endColumn: to.column },
        place,
        ...(placed ? { path: placed.path } : {}),
      });
    }
  }
  // An escape (\x41, \u0041, an escaped line break) can spell a secret the raw text does not show.
  if (parsed.data !== undefined && text.includes('\\')) {
    const rawSecrets = new Set(raw.map((match) => match.secret));
    for (const { path, value, key } of stringsOf(parsed.data, [])) {
      for (const match of findSecrets(value)) {
        if (rawSecrets.has(match.secret)) continue;
        rawSecrets.add(match.secret);
        secrets.push({
          kind: match.kind,
          env: match.env,
          secret: match.secret,
          masked: match.masked,
          range: locate(parsed, path, key ? { key: true } : {}),
          place: key ? 'key' : 'value',
          path: key ? path.slice(0, -1) : path,
        });
      }
    }
    secrets.sort((a, b) => a.range.line - b.range.line || a.range.column - b.range.column);
  }
  found.set(parsed, secrets);
  return secrets;
}

/** Where a secret is, as the subject of a sentence: `metadata.description`, `a key in models`, `a comment`. */
export function secretWhere(secret: SpecSecret): string {
  const path = secret.path === undefined ? '' : formatPath(secret.path);
  switch (secret.place) {
    case 'value':
      return path || 'a value';
    case 'key':
      return path ? `a key in ${path}` : 'a top-level key';
    case 'comment':
      return 'a comment';
    case 'text':
      return 'the file';
  }
}

/** A message, hint or path of a diagnostic about `parsed`, with the file's secrets (and any other) masked. */
export function maskDiagnostics(parsed: ParsedYaml, diagnostics: Diagnostic[]): Diagnostic[] {
  if (diagnostics.length === 0) return diagnostics;
  const known = knownSecrets(specSecrets(parsed));
  return diagnostics.map((diagnostic) => {
    const masked: Diagnostic = { ...diagnostic, message: maskSecrets(diagnostic.message, known) };
    if (diagnostic.hint !== undefined) masked.hint = maskSecrets(diagnostic.hint, known);
    if (diagnostic.suggestion !== undefined) masked.suggestion = maskSecrets(diagnostic.suggestion, known);
    if (diagnostic.path) masked.path = maskPath(diagnostic.path, known);
    return masked;
  });
}

/** A document path with the secrets in its keys masked (a secret used as a key). */
export function maskPath(path: DocPath, known: readonly KnownSecret[]): DocPath {
  return path.map((segment) => (typeof segment === 'string' ? maskSecrets(segment, known) : segment));
}

/**
 * Throws the one-line refusal of a stage that builds on the spec when the spec holds a secret
 * (anywhere in its text): a stage never copies a key into what it writes.
 */
export function refuseSecrets(parsed: ParsedYaml, command: string): void {
  const secrets = specSecrets(parsed);
  const first = secrets[0];
  if (!first) return;
  const more = secrets.length > 1 ? `, and ${secrets.length - 1} more secret${secrets.length > 2 ? 's' : ''}` : '';
  throw new UserError(
    `${secretWhere(first)} holds what looks like ${withArticle(first.kind)} (${first.masked})${more}: move ${secrets.length > 1 ? 'each' : 'it'} into an environment reference like \${${first.env}}`,
    {
      file: parsed.file,
      position: { line: first.range.line, column: first.range.column },
      hint: `\`shipshape ${command}\` does not build on a spec that holds a secret, so it never copies one into what it writes. Put \${${first.env}} where the secret was, set ${first.env} where the service runs, and rotate the secret: it is in the file's history now. \`shipshape check\` lists every secret.`,
    },
  );
}
