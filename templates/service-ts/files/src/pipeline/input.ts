// The request contract of POST /v1/predict, and the normalisation every tier sees its text through.

import * as z from 'zod';

/** The longest ticket accepted, in UTF-16 code units after trimming. */
export const MAX_TEXT_CHARS = 20_000;

const requiredString = (what: string) => (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : `must be ${what}`);

/** The body of POST /v1/predict. Unknown keys are rejected so that a misspelt field fails loudly instead of being ignored. */
export const predictRequestSchema = z.strictObject(
  {
    text: z
      .string({ error: requiredString('a string') })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(MAX_TEXT_CHARS, { error: `must be at most ${MAX_TEXT_CHARS} characters` }),
    id: z
      .string({ error: 'must be a string' })
      .min(1, { error: 'must not be empty' })
      .max(200, { error: 'must be at most 200 characters' })
      .optional(),
    features: z
      .record(z.string(), z.union([z.string(), z.number()], { error: 'must be a string or a finite number' }), {
        error: 'must be an object of strings and numbers',
      })
      .optional(),
  },
  { error: 'must be a JSON object' },
);

export type PredictRequest = z.infer<typeof predictRequestSchema>;

/** One problem with a request body; `path` is dotted (`text`, `features.lang`), or `(body)` for the body itself. */
export interface RequestError {
  path: string;
  message: string;
}

export type ParseResult = { ok: true; value: PredictRequest } | { ok: false; errors: RequestError[] };

/** Validates a parsed JSON body against the contract, with errors fit to return to the caller as they are. */
export function parsePredictRequest(body: unknown): ParseResult {
  const result = predictRequestSchema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  const errors: RequestError[] = [];
  for (const issue of result.error.issues) {
    // One error per unknown key: the caller fixes them one field at a time.
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push({ path: formatPath([...issue.path, key]), message: 'is not a known field' });
    } else {
      errors.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return { ok: false, errors };
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(body)';
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

// Control characters other than tab and newline, and the invisible characters that pasted text
// carries (zero-width space, word joiner, byte order mark): they split or glue words without being seen.
const INVISIBLE = /[^\P{Cc}\n\t]|[\u200B\u2060\uFEFF]/gu;
const HORIZONTAL_SPACE = /[^\S\n]+/g;

/**
 * Puts text in the one form the tiers, the cache and the statistics see: Unicode NFKC (full-width and compatibility
 * forms folded), line breaks unified to `\n`, control and invisible characters removed, each run of spaces and tabs
 * made one space, spaces around line breaks dropped, at most one blank line in a row, and the ends trimmed.
 * Case is kept: classifiers lower-case for themselves, while a drafted reply may quote the customer.
 */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n')
    .replace(INVISIBLE, '')
    .replace(HORIZONTAL_SPACE, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Whether normalised text has a character a reader can see: not only format characters (zero-width joiners, marks) and spaces. */
export function hasVisibleText(text: string): boolean {
  return /[^\p{Cf}\p{Z}\s]/u.test(text);
}
