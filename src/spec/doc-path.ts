/** Paths into a parsed document (`['models', 'tiers', 0, 'timeoutMs']`): reading and printing them. */

export type PathSegment = string | number;
export type DocPath = readonly PathSegment[];

/** `models.tiers[0].timeoutMs`. */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const segment of path) {
    out += typeof segment === 'number' ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  }
  return out;
}

/**
 * The value at `path` in plain data, or undefined. Only own properties count (a path through
 * `__proto__` or `constructor` finds nothing), and a number indexes a list, a name a map.
 */
export function valueAt(data: unknown, path: DocPath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    if (Array.isArray(value) !== (typeof segment === 'number')) return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
    value = (value as Record<PathSegment, unknown>)[segment];
  }
  return value;
}
