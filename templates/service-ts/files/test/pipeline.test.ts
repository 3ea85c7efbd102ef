import { describe, expect, it } from 'vitest';
import { normalise, parsePredictRequest, predictRequestSchema } from '../src/pipeline/input.js';
import { detectLanguage, inputStats } from '../src/pipeline/stats.js';

function errorsOf(body: unknown): { path: string; message: string }[] {
  const result = parsePredictRequest(body);
  if (result.ok) throw new Error(`expected ${JSON.stringify(body)} to be rejected`);
  return result.errors;
}

describe('the predict request', () => {
  it('accepts text alone, and text with an id and features', () => {
    expect(parsePredictRequest({ text: 'My parcel is late' })).toEqual({ ok: true, value: { text: 'My parcel is late' } });
    const full = { text: 'My parcel is late', id: 'ticket-42', features: { channel: 'email', priority: 2 } };
    expect(parsePredictRequest(full)).toEqual({ ok: true, value: full });
  });

  it('trims the text, and counts its length after trimming', () => {
    expect(parsePredictRequest({ text: '  hello  ' })).toEqual({ ok: true, value: { text: 'hello' } });
    expect(parsePredictRequest({ text: `  ${'x'.repeat(20_000)}  ` }).ok).toBe(true);
    expect(errorsOf({ text: 'x'.repeat(20_001) })).toEqual([{ path: 'text', message: 'must be at most 20000 characters' }]);
  });

  it('rejects a missing, blank or non-string text', () => {
    expect(errorsOf({})).toEqual([{ path: 'text', message: 'is required' }]);
    expect(errorsOf({ text: ' \n\t ' })).toEqual([{ path: 'text', message: 'must not be empty' }]);
    expect(errorsOf({ text: 42 })).toEqual([{ path: 'text', message: 'must be a string' }]);
  });

  it('rejects a bad id', () => {
    expect(errorsOf({ text: 'hi', id: '' })).toEqual([{ path: 'id', message: 'must not be empty' }]);
    expect(errorsOf({ text: 'hi', id: 'x'.repeat(201) })).toEqual([{ path: 'id', message: 'must be at most 200 characters' }]);
    expect(errorsOf({ text: 'hi', id: 7 })).toEqual([{ path: 'id', message: 'must be a string' }]);
  });

  it('names the feature whose value is neither a string nor a number', () => {
    expect(errorsOf({ text: 'hi', features: { lang: true, plan: 'pro' } })).toEqual([
      { path: 'features.lang', message: 'must be a string or a finite number' },
    ]);
    expect(errorsOf({ text: 'hi', features: ['a'] })).toEqual([{ path: 'features', message: 'must be an object of strings and numbers' }]);
  });

  it('rejects unknown fields one by one, and a body that is not an object', () => {
    expect(errorsOf({ text: 'hi', txet: 'hi', lang: 'en' })).toEqual([
      { path: 'txet', message: 'is not a known field' },
      { path: 'lang', message: 'is not a known field' },
    ]);
    expect(errorsOf('hi')).toEqual([{ path: '(body)', message: 'must be a JSON object' }]);
    expect(errorsOf(null)).toEqual([{ path: '(body)', message: 'must be a JSON object' }]);
  });

  it('reports every problem at once', () => {
    expect(errorsOf({ id: '', features: { a: null } }).map((error) => error.path)).toEqual(['text', 'id', 'features.a']);
  });

  it('exports the schema itself, with the trimmed text as its output', () => {
    expect(predictRequestSchema.parse({ text: ' a ' })).toEqual({ text: 'a' });
  });
});

describe('normalise', () => {
  it('folds compatibility forms with NFKC', () => {
    expect(normalise('ＡＢＣ１２３ ﬁle')).toBe('ABC123 file');
    expect(normalise('cafe\u0301')).toBe('café');
  });

  it('collapses runs of spaces and tabs, and trims', () => {
    expect(normalise('  my \t\t order\u00a0 is   late  ')).toBe('my order is late');
  });

  it('keeps line breaks, unified, with at most one blank line in a row', () => {
    expect(normalise('Hello,\r\n\r\n\r\n\r\nmy order \n  is late\rThanks')).toBe('Hello,\n\nmy order\nis late\nThanks');
  });

  it('strips control and invisible characters', () => {
    expect(normalise('pass\u0000word\u0007 re\u200bset\ufeff \u009bnow')).toBe('password reset now');
  });

  it('keeps case', () => {
    expect(normalise('My iPhone App')).toBe('My iPhone App');
  });
});

describe('input statistics', () => {
  const text = 'My order has not arrived and the tracking page is empty';

  it('always measures chars, words and language', () => {
    expect(inputStats(text, [])).toEqual({ chars: 55, words: 11, language: 'en', numeric: {}, categorical: {} });
  });

  it('counts characters as code points, and words that hold a letter or digit', () => {
    const stats = inputStats('café 😀 — ok 42', []);
    expect(stats.chars).toBe(14);
    expect(stats.words).toBe(3);
  });

  it('resolves language and *_language to the detected language', () => {
    const stats = inputStats(text, ['language', 'ticket_language']);
    expect(stats.categorical).toEqual({ language: 'en', ticket_language: 'en' });
    expect(stats.numeric).toEqual({});
  });

  it('resolves chars, length and *_chars to the character count', () => {
    expect(inputStats(text, ['chars', 'length', 'ticket_chars']).numeric).toEqual({ chars: 55, length: 55, ticket_chars: 55 });
  });

  it('resolves *_words to the word count', () => {
    expect(inputStats(text, ['ticket_words']).numeric).toEqual({ ticket_words: 11 });
  });

  it('takes any other feature from the request: numbers numeric, strings categorical, absent unknown', () => {
    const stats = inputStats(text, ['priority', 'channel', 'plan'], { priority: 3, channel: 'email' });
    expect(stats.numeric).toEqual({ priority: 3 });
    expect(stats.categorical).toEqual({ channel: 'email', plan: 'unknown' });
    expect(inputStats(text, ['plan']).categorical).toEqual({ plan: 'unknown' });
  });

  it('measures its own features even when the request claims other values', () => {
    const stats = inputStats(text, ['ticket_chars', 'language'], { ticket_chars: 1, language: 'fr' });
    expect(stats.numeric).toEqual({ ticket_chars: 55 });
    expect(stats.categorical).toEqual({ language: 'en' });
  });

  it('does not read inherited properties as provided features', () => {
    expect(inputStats(text, ['toString']).categorical).toEqual({ toString: 'unknown' });
  });
});

describe('detectLanguage', () => {
  it.each([
    ['en', 'My order has not arrived yet'],
    ['en', 'I was charged twice for this'],
    ['es', 'No puedo acceder a mi cuenta'],
    ['es', 'El pedido todavía no ha llegado'],
    ['fr', "Je n'arrive pas à me connecter"],
    ['fr', 'La commande est arrivée abîmée'],
    ['de', 'Ich kann mich nicht anmelden'],
    ['de', 'Das Paket ist noch nicht angekommen'],
    ['pt', 'Não consigo acessar minha conta'],
    ['pt', 'O pedido ainda não chegou'],
    ['it', 'Non riesco ad accedere al mio account'],
    ['it', 'Il pacco non è ancora arrivato'],
    ['nl', 'Ik kan niet inloggen op mijn account'],
    ['nl', 'Het pakket is nog niet aangekomen'],
  ])('detects %s in "%s"', (language, sentence) => {
    expect(detectLanguage(sentence)).toBe(language);
  });

  it('answers other for gibberish, text too short to tell, and other languages', () => {
    expect(detectLanguage('asdkj qwelkj zxcmnb poiuyt')).toBe('other');
    expect(detectLanguage('refund')).toBe('other');
    expect(detectLanguage('')).toBe('other');
    expect(detectLanguage('Zamówienie jeszcze nie dotarło')).toBe('other');
    expect(detectLanguage('注文した商品がまだ届きません')).toBe('other');
  });

  it('ignores case and reads long text quickly', () => {
    expect(detectLanguage('MY ORDER HAS NOT ARRIVED')).toBe('en');
    const long = 'Der Kunde schreibt, dass die Lieferung nicht angekommen ist. '.repeat(400);
    const started = performance.now();
    for (let i = 0; i < 100; i++) expect(detectLanguage(long)).toBe('de');
    // Linear, not a regex that backtracks: a generous bound (about 2 ms a call on a quiet machine) that load cannot reach.
    expect((performance.now() - started) / 100).toBeLessThan(250);
  });
});
