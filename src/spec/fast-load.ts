/**
 * The quick look at a spec that loading takes first (load.ts): the file's data through js-yaml
 * (about ten times faster than the yaml Document parse, as it keeps no positions). A spec that
 * passes here and then the zod schema is loaded without the Document; its positions are parsed
 * the full way only when something asks for one (a finding to place, an edit to make). Anything
 * else (input that js-yaml or the schema refuses) is loaded the full way and reported from that.
 * So the quick look decides nothing but "valid", and for that it must see exactly the data the
 * full parse sees:
 * - plain scalars are typed by yaml's own core-schema tags (their tests and resolvers), not js-yaml's;
 * - anything where the two parsers may differ is left to the full parse: anchors, aliases, tags,
 *   directives, complex or null keys, tabs, control characters, over-long lines, several documents
 *   (js-yaml refuses them, as it refuses duplicate keys), and what the full reader itself refuses
 *   (over 1 MiB, NUL bytes, invalid UTF-8).
 * test/check/fast-path.test.ts holds the two paths to the same findings on a corpus of valid and
 * broken specs.
 */
import { readFileBoundedSync } from '../fs/read.js';
import jsyaml from 'js-yaml';
import { isScalar, Schema, type ScalarTag } from 'yaml';
import { MAX_FILE_BYTES, parseYamlText, type ParsedYaml } from './yaml-file.js';

/**
 * Text the quick look leaves to the full parse (see the module comment). Each pattern is tried
 * only when the text holds one of the characters it needs (`needs`): a search for a character is
 * far cheaper than trying a pattern at every position, and most specs hold none of them.
 */
const LEAVE_TO_FULL_PARSE: readonly { needs?: readonly string[]; pattern: RegExp }[] = [
  // Tabs, control characters other than line ends, a BOM or non-characters.
  // eslint-disable-next-line no-control-regex
  { pattern: /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]/ },
  // A lone CR.
  { needs: ['\r'], pattern: /\r(?!\n)/ },
  // Anchors, aliases and tags: a & * or ! that starts a node.
  { needs: ['&', '*', '!'], pattern: /(?:^|[\s[\]{},])[&*!]/m },
  // Directives, document ends, complex keys.
  { needs: ['%', '...', '?'], pattern: /^(?:%|\.\.\.|[ ]*(?:-[ ]+)*\?(?:[ ]|$))/m },
  // A key that is empty or null (yaml names it "", js-yaml "null").
  { needs: [':'], pattern: /(?:^[ ]*(?:-[ ]+)*|[{,][ ]*)(?:~|null|Null|NULL)?[ ]*:(?:[ \r\n]|$)/m },
];

const leftToFullParse = (text: string): boolean =>
  LEAVE_TO_FULL_PARSE.some(
    ({ needs, pattern }) => (needs === undefined || needs.some((part) => text.includes(part))) && pattern.test(text),
  );

/**
 * A line too long for an implicit key: 1024 characters (UTF-16 units) without a line feed. Found
 * line by line: the pattern /[^\n]{1024}/ tries every position and scans on to the line's end,
 * quadratic in the line length, and was the single largest cost of checking many specs.
 */
export function hasLongLine(text: string, limit = 1024): boolean {
  for (let start = 0; ;) {
    const end = text.indexOf('\n', start);
    if ((end === -1 ? text.length : end) - start >= limit) return true;
    if (end === -1) return false;
    start = end + 1;
  }
}

/** yaml's core schema: the tags that type a plain scalar, tried in yaml's order. */
let scalarTags: ScalarTag[] | undefined;
const tagsOf = () =>
  (scalarTags ??= (new Schema({ schema: 'core' }).tags as ScalarTag[]).filter((tag) => tag.default === true && tag.test !== undefined));

class LeaveToFullParse extends Error {}

/**
 * The tag that types a plain scalar, or undefined for a string. js-yaml asks twice for each scalar
 * (does the implicit type resolve it, then construct it), so the last answer is kept.
 */
let lastSource: string | undefined;
let lastTag: ScalarTag | undefined;
function tagFor(source: string): ScalarTag | undefined {
  if (source !== lastSource) {
    lastTag = tagsOf().find((candidate) => candidate.test!.test(source));
    lastSource = source;
  }
  return lastTag;
}

/** A plain scalar typed as yaml types it; a resolver that complains leaves the file to the full parse. */
function resolveScalar(source: string): unknown {
  const tag = tagFor(source);
  if (!tag) return source;
  const value = tag.resolve(
    source,
    () => {
      throw new LeaveToFullParse();
    },
    { intAsBigInt: false } as Parameters<ScalarTag['resolve']>[2],
  );
  return isScalar(value) ? value.value : value;
}

let schema: jsyaml.Schema | undefined;
const coreSchema = () =>
  (schema ??= jsyaml.FAILSAFE_SCHEMA.extend({
    implicit: [
      new jsyaml.Type('tag:shipshape/yaml-core', {
        kind: 'scalar',
        resolve: (data: unknown) => typeof data === 'string' && tagFor(data) !== undefined,
        construct: (data: string) => resolveScalar(data),
      }),
    ],
  }));

/**
 * The text and plain data of YAML input as the full parse would give them, or undefined to leave
 * the input to the full parse.
 */
export function quickData(input: string | Uint8Array): { text: string; data: Record<string, unknown> } | undefined {
  let text: string;
  if (typeof input === 'string') {
    if (Buffer.byteLength(input) > MAX_FILE_BYTES) return undefined;
    text = input;
  } else {
    if (input.byteLength > MAX_FILE_BYTES || input.indexOf(0) !== -1) return undefined;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return undefined;
    }
  }
  if (hasLongLine(text) || leftToFullParse(text)) return undefined;
  let data: unknown;
  try {
    data = jsyaml.load(text, { schema: coreSchema() });
  } catch {
    return undefined;
  }
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? { text, data: data as Record<string, unknown> } : undefined;
}

/**
 * What the quick look read, as the full parse of the same input: its text and data at once, and
 * the yaml Document and line counter parsed from that input on first use (only an edit or a finding
 * to place asks for them).
 */
export function lazilyParsed(file: string, input: string | Uint8Array, quick: { text: string; data: Record<string, unknown> }): ParsedYaml {
  let full: ParsedYaml | undefined;
  const positions = () => (full ??= parseYamlText(file, input));
  return {
    file,
    text: quick.text,
    data: quick.data,
    diagnostics: [],
    get doc() {
      return positions().doc;
    },
    get lineCounter() {
      return positions().lineCounter;
    },
  };
}

/**
 * A file's bytes through the bounded reader, or undefined when it cannot be read that way (missing,
 * not a regular file, over the size limit): the full reader then says why, as it always has.
 */
export function readSpecBytes(file: string): Buffer | undefined {
  try {
    return readFileBoundedSync(file, { maxBytes: MAX_FILE_BYTES, what: 'spec' });
  } catch {
    return undefined;
  }
}
