/**
 * Whether a command may prompt (STYLE.md 7): only with a terminal on standard input, and never
 * under CI (`CI=true` or `CI=1`), whatever the terminal says.
 */
export function promptBlocker(): string | undefined {
  const ci = ['true', '1'].includes((process.env['CI'] ?? '').toLowerCase());
  if (ci) return 'CI is set';
  if (!process.stdin.isTTY) return 'standard input is not a terminal';
  return undefined;
}
