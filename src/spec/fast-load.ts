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
import { MAX_FILE_BYTES } from './yaml-file.js';

/** Text the quick look leaves to the full parse (see the module comment). */
const LEAVE_TO_FULL_PARSE = [
  // Tabs, control characters other than line ends, a lone CR, a BOM or non-characters.
  // eslint-disable-next-line no-control-regex
  /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]|\r(?!\n)/,
  // Anchors, aliases and tags: a & * or ! that starts a node.
  /(?:^|[\s[\]{},])[&*!]/m,
  // Directives, document ends, complex keys.
  /^(?:%|\.\.\.|[ ]*(?:-[ ]+)*\?(?:[ ]|$))/m,
  // A key that is empty or null (yaml names it "", js-yaml "null").
  /(?:^[ ]*(?:-[ ]+)*|[{,][ ]*)(?:~|null|Null|NULL)?[ ]*:(?:[ \r\n]|$)/m,
];

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

/** A plain scalar typed as yaml types it; a resolver that complains leaves the file to the full parse. */
function resolveScalar(source: string): unknown {
  const tag = tagsOf().find((candidate) => candidate.test!.test(source));
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
        resolve: (data: unknown) => typeof data === 'string' && tagsOf().some((tag) => tag.test!.test(data)),
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
  if (hasLongLine(text) || LEAVE_TO_FULL_PARSE.some((pattern) => pattern.test(text))) return undefined;
  let data: unknown;
  try {
    data = jsyaml.load(text, { schema: coreSchema() });
  } catch {
    return undefined;
  }
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? { text, data: data as Record<string, unknown> } : undefined;
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
