/** JSON.parse's SyntaxError as one clean line with its place, across the message shapes of Node 20 to 24. */
import type { Position } from '../errors.js';

/**
 * What is wrong with `text` that JSON.parse refused, and where when V8 says: "... in JSON at position 8" (Node 20),
 * "... (line 1 column 9)" (Node 22 and later). The excerpt V8 quotes for an unexpected token (which may span lines,
 * and hold anything the file does) is dropped.
 */
export function jsonSyntaxProblem(text: string, error: SyntaxError): { message: string; position?: Position } {
  const raw = error.message;
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(raw);
  const offset = /at position (\d+)/.exec(raw);
  const message = raw
    .replace(/, (?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .trim();
  if (lineColumn) return { message, position: { line: Number(lineColumn[1]), column: Number(lineColumn[2]) } };
  if (!offset) return { message };
  const before = text.slice(0, Number(offset[1]));
  const line = before.split('\n').length;
  return { message, position: { line, column: before.length - before.lastIndexOf('\n') } };
}
