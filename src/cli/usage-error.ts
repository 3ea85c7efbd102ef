/**
 * oclif's flag and argument errors, said in one line the way every other shipshape error is:
 * without "The following error occurred:", the tab-indented detail, the colour, and oclif's own
 * "See more help with --help" (the hint says it once).
 */
import { stripVTControlCharacters } from 'node:util';

const REWRITES: Array<[RegExp, string]> = [
  // "Nonexistent flags: --a, --b"
  [/^Nonexistent flag: (.*)$/, 'unknown flag $1'],
  [/^Nonexistent flags: (.*)$/, 'unknown flags $1'],
  [/^Flag --([\w-]+) expects a value$/, '--$1 needs a value'],
  // "--yes=true cannot also be provided when using --from"
  [/^--([\w-]+)(?:=\S*)? cannot also be provided when using --([\w-]+)$/, '--$1 cannot be used with --$2'],
  // "All of the following must be provided when using --dry-run: --iterate"
  [/^All of the following must be provided when using --([\w-]+): (.*)$/, '--$1 needs $2'],
  // "Parsing --stage \n\tExpected an integer less than or equal to 8 but received: 9"
  [/^Parsing --([\w-]+)\s*\n\s*Expected (.*?) but received: (.*)$/s, '--$1 expects $2, not $3'],
  [/^Parsing --([\w-]+)\s*\n\s*(.*)$/s, '--$1: $2'],
  // "Expected --format=nope to be one of: stylish, json"
  [/^Expected --([\w-]+)=(.*) to be one of: (.*)$/s, '--$1 must be one of $3, not $2'],
  [/^Unexpected arguments?: (.*)$/, 'unexpected argument $1'],
];

/** One line for an oclif parse error's message. */
export function usageLine(message: string): string {
  let text = stripVTControlCharacters(message)
    .replace(/\n?See more help with --help\s*$/, '')
    .trim();
  const reasons = /^The following errors? occurred:\s*\n([\s\S]*)$/.exec(text);
  const parts = reasons ? [...new Set(reasons[1]!.split('\n').map((line) => line.trim()))].filter(Boolean) : [text];
  text = parts
    .map((part) => {
      for (const [pattern, replacement] of REWRITES) if (pattern.test(part)) return part.replace(pattern, replacement);
      return part;
    })
    .join('; ');
  // Whatever oclif adds after the first line (a list of arguments, a note) is what --help shows in full.
  return text.split('\n')[0]!.trim();
}
