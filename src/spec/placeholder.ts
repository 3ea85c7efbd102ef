/**
 * Text that stands in for an answer not given yet: what `init --yes` writes where it cannot
 * guess, and what people type instead of an owner. `check` warns about both.
 */

/** The business problem `init --yes` writes when none is given. */
export const PROBLEM_PLACEHOLDER = 'Describe the business problem this service solves, and for whom.';

/** The owner `init --yes` writes when none is given: never the account running it (`root` answers for nothing). */
export const OWNER_PLACEHOLDER = '<owner>';

/** The on-call rotation `design` writes until someone names the real one. */
export const ONCALL_PLACEHOLDER = '<on-call rotation>';

/**
 * The on-call name earlier versions of `design` made up from the team or service name
 * (`support-platform-oncall`): it looks real, and nobody chose it.
 */
export function inventedOncall(metadata: { name: string; team?: string | undefined }): string {
  const slug = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  return `${slug(metadata.team ?? metadata.name) || metadata.name}-oncall`;
}

/** Accounts that run programs rather than answer for them: what `whoami` says in a container or on CI. */
const SYSTEM_ACCOUNTS = new Set([
  'root',
  'admin',
  'administrator',
  'user',
  'ubuntu',
  'node',
  'runner',
  'vscode',
  'codespace',
  'jenkins',
  'gitpod',
  'docker',
  'ec2-user',
]);

/** `root`, `runner`, `ubuntu`...: a login name a tool picked up, not a person or team. */
export function isSystemAccount(value: string): boolean {
  return SYSTEM_ACCOUNTS.has(value.trim().toLowerCase());
}

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

/** `TODO`, `<owner>`, `<your name>`, `n/a`, `change-me`, `TBD: pick someone`, `todo@example.com`... */
export function isPlaceholder(value: string): boolean {
  // Angle brackets around words are the classic "fill this in": <owner>, <on-call rotation>.
  if (/^<[^<>]*>$/.test(value.trim())) return true;
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
