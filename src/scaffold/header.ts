/**
 * The header of a managed file: one comment line saying the pack owns the file and how to take
 * it over (delete the line). Files whose format has no comments (JSON) or is unknown get none;
 * the project manifest alone records their ownership.
 */
import { basename } from 'node:path';

/** The words every header holds: how a managed file is recognised on disk. */
export const HEADER_MARK = 'Managed by shipshape';

type Style = { open: string; close: string };

const SLASHES: Style = { open: '// ', close: '' };
const HASH: Style = { open: '# ', close: '' };
const MARKUP: Style = { open: '<!-- ', close: ' -->' };

const BY_EXTENSION: Record<string, Style> = {
  ts: SLASHES,
  tsx: SLASHES,
  mts: SLASHES,
  cts: SLASHES,
  js: SLASHES,
  jsx: SLASHES,
  mjs: SLASHES,
  cjs: SLASHES,
  yaml: HASH,
  yml: HASH,
  sh: HASH,
  bash: HASH,
  py: HASH,
  toml: HASH,
  dockerfile: HASH,
  md: MARKUP,
  markdown: MARKUP,
  html: MARKUP,
  htm: MARKUP,
};

const BY_NAME: Record<string, Style> = {
  dockerfile: HASH,
  '.dockerignore': HASH,
  '.gitignore': HASH,
};

function styleOf(path: string): Style | undefined {
  const name = basename(path).toLowerCase();
  const byName = BY_NAME[name];
  if (byName) return byName;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? BY_EXTENSION[name.slice(dot + 1)] : undefined;
}

/** The header line for `path`, or undefined when its format takes no comment. */
export function headerLine(path: string, pack: string): string | undefined {
  const style = styleOf(path);
  if (!style) return undefined;
  return `${style.open}${HEADER_MARK} (pack ${pack}): \`shipshape generate\` rewrites this file. To take it over, delete this line.${style.close}`;
}

/** How many leading lines must stay first: a shebang, Dockerfile parser directives, Markdown front matter. */
function preamble(lines: readonly string[], path: string): number {
  if (lines[0]?.startsWith('#!')) return 1;
  const name = basename(path).toLowerCase();
  if (name === 'dockerfile' || name.endsWith('.dockerfile')) {
    let n = 0;
    while (n < lines.length && /^#\s*[a-z]+\s*=/i.test(lines[n]!)) n++;
    return n;
  }
  if (/\.(md|markdown)$/.test(name) && lines[0]?.trimEnd() === '---') {
    const end = lines.findIndex((line, i) => i > 0 && line.trimEnd() === '---');
    return end === -1 ? 0 : end + 1;
  }
  return 0;
}

/** `text` with the header of `path` inserted (after any lines that must stay first). */
export function withHeader(text: string, path: string, pack: string): string {
  const line = headerLine(path, pack);
  if (!line) return text;
  const lines = text.split('\n');
  const keep = preamble(lines, path);
  const eol = text.includes('\r\n') ? '\r' : '';
  lines.splice(keep, 0, `${line}${eol}`);
  return lines.join('\n');
}

/**
 * Whether a file's first lines (past its preamble, with a little slack for a line the user added
 * above) hold a shipshape header.
 */
export function hasHeader(content: Buffer, path: string): boolean {
  const lines = content
    .subarray(0, 64 * 1024)
    .toString('utf8')
    .split('\n');
  return lines.slice(0, preamble(lines, path) + 3).some((line) => line.includes(HEADER_MARK));
}
