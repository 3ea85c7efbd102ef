// The statistics of each input that drift monitoring compares with the baseline window.

/** What one request looked like, in the terms drift monitoring compares. */
export interface InputStats {
  /** Characters (Unicode code points) of the normalised text. */
  chars: number;
  /** Whitespace-separated words that hold at least one letter or digit. */
  words: number;
  /** `detectLanguage(text)`. */
  language: string;
  /** The numeric drift features, by feature name. */
  numeric: Record<string, number>;
  /** The categorical drift features, by feature name. */
  categorical: Record<string, string>;
}

/**
 * Measures `text` for drift monitoring. `features` is the spec's `monitoring.drift.features` list; each name is
 * resolved by these rules, first match wins:
 *
 * - `language`, or a name ending in `_language` → categorical, the detected language (`detectLanguage`);
 * - `chars`, `length`, or a name ending in `_chars` → numeric, the character count;
 * - `words`, or a name ending in `_words` → numeric, the word count;
 * - any other name → the request's own `features[name]`: a number is numeric, a string categorical; when the request
 *   does not carry it, categorical `'unknown'`.
 *
 * The measured features are never taken from the request, so a caller cannot mask drift in them.
 */
export function inputStats(text: string, features: string[], provided?: Record<string, string | number>): InputStats {
  const chars = countCodePoints(text);
  const words = countWords(text);
  const language = detectLanguage(text);
  const numeric: Record<string, number> = {};
  const categorical: Record<string, string> = {};
  for (const feature of features) {
    if (feature === 'language' || feature.endsWith('_language')) {
      categorical[feature] = language;
    } else if (feature === 'chars' || feature === 'length' || feature.endsWith('_chars')) {
      numeric[feature] = chars;
    } else if (feature === 'words' || feature.endsWith('_words')) {
      numeric[feature] = words;
    } else {
      const value = provided !== undefined && Object.hasOwn(provided, feature) ? provided[feature] : undefined;
      if (typeof value === 'number' && Number.isFinite(value)) numeric[feature] = value;
      else if (typeof value === 'string') categorical[feature] = value;
      else categorical[feature] = 'unknown';
    }
  }
  return { chars, words, language, numeric, categorical };
}

function countCodePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // The low half of a surrogate pair is the same character as the high half before it.
    if (code < 0xdc00 || code > 0xdfff) count++;
  }
  return count;
}

const WORD = /\S+/g;
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

function countWords(text: string): number {
  let count = 0;
  for (const match of text.matchAll(WORD)) if (HAS_LETTER_OR_DIGIT.test(match[0])) count++;
  return count;
}

// About twenty frequent function words per language, chosen to tell the languages apart: words shared by several
// languages (`de`, `la`, `que`, `no`...) count for each of them, and the words only one language uses decide.
const STOPWORDS: Record<string, string[]> = {
  en: wordList('the and is are was of to with my you your this that it have has not for what can please would been from i we our how why'),
  es: wordList('el los las del la de y que en por para con es una pero muy está hay mi mis yo su no ya gracias cuando qué tengo'),
  fr: wordList('le la les de des du et est un une je pas que qui pour dans ce cette mon ma mes vous nous avec sur ne au ai'),
  de: wordList('der die das und ist nicht ich mit den dem ein eine zu sie wir mein meine es auf für von bitte habe wurde kann noch auch'),
  pt: wordList('o os as do da dos das e é em um uma que não para com meu minha você na no ao mas foi está obrigado consigo'),
  it: wordList('il lo la i gli le di del della e è un una che non per con mi mio mia sono ho ha anche ma nel al riesco'),
  nl: wordList('de het een en is van ik niet dat die met op te zijn voor mijn wij je u er maar ook naar kan'),
};

function wordList(list: string): string[] {
  return list.split(' ');
}

const LANGUAGES = Object.keys(STOPWORDS);

// One lookup per word: each stopword maps to the indexes (into LANGUAGES) of the languages it belongs to.
const STOPWORD_LANGUAGES = new Map<string, number[]>();
LANGUAGES.forEach((language, index) => {
  for (const word of STOPWORDS[language] ?? []) {
    const languages = STOPWORD_LANGUAGES.get(word);
    if (languages === undefined) STOPWORD_LANGUAGES.set(word, [index]);
    else languages.push(index);
  }
});

const LETTERS = /\p{L}+/gu;
// The start of a long text says which language it is in; reading all of it would only cost time.
const MAX_CHARS_READ = 3_000;

/**
 * A small stopword-based language guess: the ISO 639-1 code (`en`, `es`, `fr`, `de`, `pt`, `it`, `nl`) of the
 * language with the most stopword hits, or `'other'` when none has at least two hits or two languages tie.
 * Deterministic; reads at most the first 3,000 characters.
 */
export function detectLanguage(text: string): string {
  const hits = new Array<number>(LANGUAGES.length).fill(0);
  for (const match of text.slice(0, MAX_CHARS_READ).normalize('NFC').toLowerCase().matchAll(LETTERS)) {
    const languages = STOPWORD_LANGUAGES.get(match[0]);
    if (languages !== undefined) for (const index of languages) hits[index] = (hits[index] ?? 0) + 1;
  }
  let best = -1;
  let bestHits = 0;
  let tied = false;
  hits.forEach((count, index) => {
    if (count > bestHits) {
      best = index;
      bestHits = count;
      tied = false;
    } else if (count === bestHits && count > 0) {
      tied = true;
    }
  });
  if (bestHits < 2 || tied) return 'other';
  return LANGUAGES[best] ?? 'other';
}
