/**
 * Where human output meets the terminal: every command writes through these, so no control
 * character from a file (a spec, `.shipshape/*.json`, a report, a runtime file) reaches standard
 * output or error raw, whatever the code that rendered it forgot (src/text/printable.ts).
 */
import { printable } from '../text/printable.js';

/** Standard output: line feeds, tabs and Paint's colours kept, every other control escaped. */
export function writeOut(text: string): void {
  process.stdout.write(printable(text, { colour: true }));
}

/** Standard error, alike. */
export function writeErr(text: string): void {
  process.stderr.write(printable(text, { colour: true }));
}
