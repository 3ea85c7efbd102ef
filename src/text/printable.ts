/**
 * The one escaper for text shown on a terminal. Text from files (a spec, `.shipshape/*.json`,
 * reports, a runtime file) can hold control characters: an escape sequence that retitles or
 * clears the terminal, a carriage return that overwrites a line, a bidi override that reorders
 * it. They are shown as visible escapes (`\x1b`, `\u202e`), never sent raw.
 *
 * - `oneLine` is for one field of a one-line layout (a table cell, a column): line breaks become
 *   spaces, so a value cannot forge a line of its own;
 * - `printable` keeps line feeds and tabs, for whole outputs (a report, a diff, an error); with
 *   `colour` it also keeps the few colour sequences src/ui/paint.ts emits (red, yellow, blue,
 *   green, dim, bold, underline and their ends), which can change a colour and nothing else.
 *
 * JSON output needs no escaper of this kind (JSON.stringify escapes C0); `jsonSafe` escapes the
 * rest (DEL, C1, bidi) in the way JSON spells escapes.
 */

/** C0 controls but tab and line feed, DEL, C1 controls, and the bidi embeddings, overrides and isolates. */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL_KEEP_LINES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
/** The SGR sequences chalk writes for Paint's colours, at any colour level, or one control character. */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL_KEEP_COLOUR = /\x1b\[(?:[124]|2[24]|3[1-49])m|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

const escaped = (char: string): string => {
  if (char.length > 1) return char; // a colour sequence kept
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** `text` with every control character but line feed and tab shown as an escape; see the module comment. */
export function printable(text: string, options: { colour?: boolean } = {}): string {
  return text.replace(options.colour ? CONTROL_KEEP_COLOUR : CONTROL_KEEP_LINES, escaped);
}

/** `text` on one line: line breaks and tabs (with the blanks around them) become one space, other controls escapes. */
export function oneLine(text: string): string {
  return text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/\t/g, ' ')
    .replace(CONTROL, escaped);
}

/** JSON text with DEL, the C1 controls and the bidi controls as `\u` escapes: the same value, nothing raw. */
export function jsonSafe(json: string): string {
  return json.replace(/[\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
