// Words of English text, as retrieval, the extractive reader and the grounding check see them.

// Letters, digits and combining marks.
const TOKEN = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;

// Function words say how a question is phrased, not what it is about.
const STOP_WORDS = new Set(
  (
    'a an the and or but if then so than that this these those there here it its of to in on at by for from with about ' +
    'into over after before as is are was were be been being am do does did done have has had having will would can ' +
    'could should shall may might must i me my mine we us our you your yours he him his she her they them their what ' +
    'which who whom whose when where why how all any each some such also just only very too again still yet please hi ' +
    'hello thanks thank get got one not no'
  ).split(' '),
);

/** Lower-cased NFKC words, function words dropped. */
export function contentWords(text: string): string[] {
  const words: string[] = [];
  for (const match of text.normalize('NFKC').toLowerCase().matchAll(TOKEN)) if (!STOP_WORDS.has(match[0])) words.push(stem(match[0]));
  return words;
}

/** A light stemmer: plurals and -ing/-ed forms meet their stem (resets, reset; expired, expire). */
export function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('es') && !word.endsWith('ses')) return word.slice(0, -1);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** Sentences of a passage: split after . ! ? and at paragraphs, headings and list items, Markdown marks (#, *, list numbers) dropped. */
export function sentences(text: string): string[] {
  return (
    text
      // A line break inside a paragraph (Markdown wrapped at a width) is a space; one before a heading or a list item is not.
      .replace(/\n(?![ \t]*(?:#|[-*]|\d+\.)\s|\s*\n)/g, ' ')
      .split(/(?<=[.!?])\s+|\n+/)
      .map((sentence) =>
        sentence
          .replace(/^\s*(#+|[-*]|\d+\.)\s+/, '')
          .replace(/\*\*|`/g, '')
          .trim(),
      )
      .filter((sentence) => contentWords(sentence).length > 0)
  );
}
