/**
 * Text that stands in for an answer not given yet: what `init --yes` writes where it cannot
 * guess, and what people type instead of an owner. `check` warns about both.
 */

/** The business problem `init --yes` writes when none is given. */
export const PROBLEM_PLACEHOLDER = 'Describe the business problem this service solves, and for whom.';

const PLACEHOLDERS = new Set([
  'todo',
  'tbd',
  'tba',
  'tbc',
  'fixme',
  'changeme',
  'none',
  'na',
  'n/a',
  'nobody',
  'noone',
  'unknown',
  'unassigned',
  'owner',
  'someone',
  'somebody',
  'anyone',
  'me',
  'name',
  'yourname',
  'xxx',
  'x',
  'null',
  'nil',
  '?',
  '-',
]);

/** `TODO`, `<owner>`, `n/a`, `change-me`, `TBD: pick someone`, `todo@example.com`... */
export function isPlaceholder(value: string): boolean {
  const bare = value
    .trim()
    .toLowerCase()
    .replace(/^[<[{("'`]+|[>\]})"'`.!]+$/g, '');
  if (bare === '' || /^[?x.\-_ *]+$/.test(bare)) return true;
  const squashed = bare.replace(/[\s_-]+/g, '');
  if (PLACEHOLDERS.has(bare) || PLACEHOLDERS.has(squashed)) return true;
  // A placeholder word leading a sentence or an address: "TBD: someone", "todo@example.com".
  const head = bare.split(/[\s:@,;]+/)[0] ?? '';
  return ['todo', 'tbd', 'tba', 'fixme', 'changeme', 'change-me', 'placeholder'].includes(head);
}
