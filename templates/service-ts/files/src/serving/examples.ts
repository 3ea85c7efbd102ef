// The labelled examples (data/examples.jsonl) the local tier learns from and every tier's labels come from.

import { readFileSync } from 'node:fs';

/** One labelled example: a ticket and the label it should get. */
export interface Example {
  text: string;
  label: string;
}

/**
 * Parses JSON Lines, one `{"text": "...", "label": "..."}` object a line; blank lines are skipped and other fields
 * ignored. Throws at the first bad line with `file:line:column problem`, and when the examples hold fewer than two
 * distinct labels (a classifier needs a choice to make).
 */
export function parseExamples(content: string, file: string): Example[] {
  const examples: Example[] = [];
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    examples.push(parseLine(line, `${file}:${index + 1}`));
  });
  const labels = [...new Set(examples.map((example) => example.label))];
  if (labels.length < 2) {
    const found = labels.length === 0 ? 'none' : labels.map((label) => JSON.stringify(label)).join(', ');
    throw new Error(`${file}: needs examples of at least 2 distinct labels, found ${found}`);
  }
  return examples;
}

function parseLine(line: string, where: string): Example {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${where}:${syntaxErrorColumn(message, line)} invalid JSON: ${syntaxErrorProblem(message)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}:1 expected a JSON object like {"text": "...", "label": "..."}`);
  }
  const record = value as Record<string, unknown>;
  const text = record['text'];
  if (typeof text !== 'string' || text.trim() === '') {
    throw new Error(`${where}:${keyColumn(line, 'text')} "text" must be a non-empty string`);
  }
  const label = record['label'];
  if (typeof label !== 'string' || label === '') {
    throw new Error(`${where}:${keyColumn(line, 'label')} "label" must be a non-empty string`);
  }
  if (label.trim() !== label) {
    throw new Error(`${where}:${keyColumn(line, 'label')} "label" must not start or end with whitespace: ${JSON.stringify(label)}`);
  }
  return { text, label };
}

// V8 words its JSON errors two ways: `... in JSON at position N`, or `Unexpected token 'c', "<source>" is not valid
// JSON` where a long source is cut to the ten characters either side of the bad one (`..."<context>"...`).
const AT_POSITION = /at position (\d+)/;
const UNEXPECTED_TOKEN = /^Unexpected token '(.+?)', (\.\.\.)?"(.*)"(?:\.\.\.)? is not valid JSON$/s;
const CONTEXT_CHARS = 10;

function syntaxErrorColumn(message: string, line: string): number {
  const position = AT_POSITION.exec(message)?.[1];
  if (position !== undefined) return Number(position) + 1;
  if (/end of (JSON )?input/i.test(message)) return line.length + 1;
  const unexpected = UNEXPECTED_TOKEN.exec(message);
  if (unexpected !== null) {
    const [, token = '', cut, context = ''] = unexpected;
    if (cut !== undefined) {
      const at = line.indexOf(context) + CONTEXT_CHARS;
      if (line.startsWith(token, at)) return at + 1;
    } else if (line.indexOf(token) === line.lastIndexOf(token) && line.includes(token)) {
      return line.indexOf(token) + 1;
    }
  }
  return 1;
}

function syntaxErrorProblem(message: string): string {
  const unexpected = UNEXPECTED_TOKEN.exec(message);
  if (unexpected !== null) return `Unexpected token '${unexpected[1] ?? ''}'`;
  return message.replace(/ in JSON at position \d+.*$/s, '').replace(/ after JSON at position \d+.*$/s, ' after JSON');
}

function keyColumn(line: string, key: string): number {
  const at = line.indexOf(`"${key}"`);
  return at === -1 ? 1 : at + 1;
}

/** Reads and parses an examples file at start-up; every error names the file. */
export function loadExamples(path: string): Example[] {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `${path}: examples file not found; the service needs labelled examples, one {"text": "...", "label": "..."} object a line`,
        { cause: error },
      );
    }
    throw new Error(`${path}: cannot read the examples file: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseExamples(content, path);
}
