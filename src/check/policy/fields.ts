/**
 * The `field` of a policy requirement: a dotted path into the spec. It is checked against the
 * spec schema when the policy loads, because a misspelled field would otherwise fail every spec
 * with "is required by policy" and send every team looking for a problem they do not have.
 */
import { specSchema } from '../../spec/schema.js';
import { didYouMean } from '../../spec/suggest.js';
import { valueAt, type PathSegment } from '../../spec/doc-path.js';
import { defOf, unwrapSchema as unwrap } from '../../spec/schema-walk.js';

/** `slo.availability`, `models.tiers.0.timeoutMs`, `models.tiers[0].timeoutMs`, `models.tiers[*].timeoutMs`. */
export const FIELD_PATTERN = /^[A-Za-z_$][\w$-]*(?:\.(?:[A-Za-z_$][\w$-]*|\d+|\*)|\[(?:\d+|\*)\])*$/;

/** In a field, `*` (or `[*]`) stands for every item of a list, or every entry of a map. */
export const EVERY = '*';

export function parseField(field: string): PathSegment[] {
  return field
    .replace(/\[(\d+|\*)\]/g, '.$1')
    .split('.')
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

/**
 * The concrete paths a field stands for in `data`: itself when it has no `*`, else one per item
 * of each list (or entry of each map) a `*` stands for, in order. A `*` over something absent
 * stands for nothing.
 */
export function expandField(data: unknown, path: readonly PathSegment[]): PathSegment[][] {
  const star = path.indexOf(EVERY);
  if (star === -1) return [[...path]];
  const head = path.slice(0, star);
  const container = valueAt(data, head);
  if (container === null || typeof container !== 'object') return [];
  const keys: PathSegment[] = Array.isArray(container) ? container.map((_, i) => i) : Object.keys(container);
  return keys.flatMap((key) => expandField(data, [...head, key, ...path.slice(star + 1)]));
}

function isNumeric(schema: unknown): boolean {
  const def = defOf(schema);
  if (!def) return false;
  if (def.type === 'number' || def.type === 'unknown' || def.type === 'any') return true;
  if (def.type === 'literal') return (def.values ?? []).every((value) => typeof value === 'number');
  if (def.type === 'union') return (def.options ?? []).every((option) => isNumeric(unwrap(option)));
  return false;
}

const isSection = (schema: unknown): boolean => ['object', 'array', 'record'].includes(defOf(schema)?.type ?? '');

const join = (path: readonly PathSegment[]) => path.join('.');

/** Why `path` cannot be checked as asked, with a did-you-mean where one fits; undefined when it can. */
export function fieldProblem(
  field: string,
  path: readonly PathSegment[],
  needs: 'number' | 'value' | 'anything',
): { message: string; hint: string } | undefined {
  let current = unwrap(specSchema);
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const def = defOf(current);
    const parent = join(path.slice(0, i));
    if (def?.type === 'object' && def.shape) {
      const shape = def.shape;
      if (segment === EVERY) {
        return {
          message: `"${field}": * stands for every item of a list or entry of a map, and ${parent || 'the spec'} is a section`,
          hint: `Name one of its fields: ${Object.keys(shape).join(', ')}.`,
        };
      }
      if (typeof segment === 'string' && Object.prototype.hasOwnProperty.call(shape, segment)) {
        current = unwrap(shape[segment]);
        continue;
      }
      const known = Object.keys(shape);
      const suggestion = didYouMean(String(segment), known);
      const corrected = suggestion ? join([...path.slice(0, i), suggestion, ...path.slice(i + 1)]) : undefined;
      return {
        message: `"${field}" is not a field of the spec: ${parent || 'the spec'} has no "${segment}"${corrected ? `; did you mean "${corrected}"?` : ''}`,
        hint: corrected ? `Write \`field: ${corrected}\`.` : `Fields of ${parent || 'the spec'}: ${known.join(', ')}.`,
      };
    }
    if (def?.type === 'array') {
      if (typeof segment === 'number' || segment === EVERY) {
        current = unwrap(def.element);
        continue;
      }
      return {
        message: `"${field}": ${parent} is a list, so the next part must be an index`,
        hint: `Write an index, or * for every item, e.g. \`field: ${join([...path.slice(0, i), EVERY, ...path.slice(i)])}\`.`,
      };
    }
    if (def?.type === 'record') {
      current = unwrap(def.valueType);
      continue;
    }
    if (def?.type === 'unknown' || def?.type === 'any') return undefined;
    return {
      message: `"${field}": ${parent} is a value, not a section`,
      hint: `Write \`field: ${parent}\`.`,
    };
  }
  if (needs === 'number' && !isNumeric(current)) {
    return {
      message: `"${field}" is not a number, so min and max cannot apply to it`,
      hint: 'Use `equals` for a text or true/false value, or `present: true` for a section.',
    };
  }
  if (needs === 'value' && isSection(current)) {
    return {
      message: `"${field}" is a section, so equals cannot apply to it`,
      hint: 'Point `field` at one value inside it, or use `present: true`.',
    };
  }
  return undefined;
}
