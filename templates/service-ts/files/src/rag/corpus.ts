// The corpus (task.rag.corpus): the Markdown and text documents the service answers from, cut into the passages it
// retrieves and cites (task.rag.chunking).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** A piece of a document: what retrieval finds and an answer cites. */
export interface Passage {
  /** `<document>#<n>`: the document's path in the corpus and the passage's number in it, from 1. */
  id: string;
  /** The document's path in the corpus, with forward slashes, e.g. password-reset.md. */
  doc: string;
  /** The document's first heading, else its file name. */
  title: string;
  text: string;
}

export interface Chunking {
  maxChars: number;
  overlapChars: number;
}

const DOCUMENT = /\.(md|markdown|txt)$/i;

/** Every document of the folder (sub-folders included), sorted by path. Throws when the folder has none. */
export function readCorpus(dir: string): { doc: string; text: string }[] {
  let info;
  try {
    info = statSync(dir);
  } catch {
    throw new Error(`the corpus folder ${dir} does not exist (task.rag.corpus)`);
  }
  if (!info.isDirectory()) throw new Error(`the corpus ${dir} is not a folder (task.rag.corpus)`);
  const docs: { doc: string; text: string }[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      const entry = statSync(path);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && DOCUMENT.test(name))
        docs.push({ doc: relative(dir, path).split(sep).join('/'), text: readFileSync(path, 'utf8') });
    }
  };
  walk(dir);
  if (docs.length === 0) throw new Error(`the corpus folder ${dir} holds no .md or .txt document (task.rag.corpus)`);
  return docs;
}

/**
 * Cuts a document into passages of at most `maxChars` characters, at paragraph breaks where it can, else at sentence
 * or word breaks; each passage after the first starts with the last `overlapChars` characters of the one before (from
 * a word's start), so that an answer cut in two is still found whole.
 */
export function chunk(doc: string, text: string, chunking: Chunking): Passage[] {
  const title = /^#\s+(.+)$/m.exec(text)?.[1]?.trim() ?? doc.replace(/\.[^.]+$/, '');
  const pieces = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .flatMap((paragraph) => split(paragraph.trim(), chunking.maxChars))
    .filter((piece) => piece !== '');
  const passages: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current !== '' && current.length + 2 + piece.length > chunking.maxChars) {
      passages.push(current);
      current = tail(current, chunking.overlapChars);
      if (current.length + 2 + piece.length > chunking.maxChars) current = '';
    }
    current = current === '' ? piece : `${current}\n\n${piece}`;
  }
  if (current !== '') passages.push(current);
  return passages.map((passage, index) => ({ id: `${doc}#${index + 1}`, doc, title, text: passage }));
}

/** A paragraph longer than `max` cut at sentence breaks, then at word breaks. */
function split(paragraph: string, max: number): string[] {
  if (paragraph.length <= max) return [paragraph];
  const out: string[] = [];
  let current = '';
  for (const part of paragraph.split(/(?<=[.!?])\s+|\s+/)) {
    if (current !== '' && current.length + 1 + part.length > max) {
      out.push(current);
      current = '';
    }
    current = current === '' ? part.slice(0, max) : `${current} ${part}`;
  }
  if (current !== '') out.push(current);
  return out;
}

/** The last `chars` characters of a passage, from the start of a word. */
function tail(text: string, chars: number): string {
  if (chars <= 0) return '';
  const cut = text.slice(-chars);
  const space = cut.search(/\s/);
  return space === -1 ? cut : cut.slice(space).trim();
}

/** The passages of every document of the corpus folder. */
export function loadPassages(dir: string, chunking: Chunking): Passage[] {
  return readCorpus(dir).flatMap(({ doc, text }) => chunk(doc, text, chunking));
}
