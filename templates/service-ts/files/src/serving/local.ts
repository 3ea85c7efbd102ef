// The `local` tier: a k-nearest-neighbour classifier over TF-IDF vectors of the labelled examples. It runs in
// process in well under a millisecond and costs nothing, which makes it the first tier of a cascade.

import type { Example } from './examples.js';
import { TierError, type ModelTier, type Prediction } from './tier.js';

export interface LocalTierOptions {
  name: string;
  model: string;
  costPerRequestUsd: number;
  examples: Example[];
  /** How many nearest examples vote; 5 by default. */
  k?: number;
}

/**
 * Below this cosine similarity the nearest example is only a loose match, and the confidence shrinks with it. Tuned on
 * held-out paraphrases of the seeded examples: clear tickets stay above 0.75, off-topic text falls well below.
 */
const CLEAR_MATCH_SIMILARITY = 0.3;

// Letters, digits and combining marks (which scripts such as Devanagari need inside words).
const TOKEN = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;

// Function words say how a ticket is phrased, not what it is about: left in, "I would like to know about..." would
// look close to every polite ticket. English and the other languages the detector knows; negations stay, since
// `not arrived` is what a ticket is about.
const FUNCTION_WORDS = new Set(
  [
    'a an the and or but if then so than that this these those there here it its of to in on at by for from with about',
    'into over after before as is are was were be been being am do does did done have has had having will would can',
    'could should shall may might must i me my mine we us our you your yours he him his she her they them their what',
    'which who whom whose when where why how all any each some such also just only very too again still yet please hi',
    'hello dear thanks thank regards s t d ll re ve m',
    'el la los las un una unos unas de del al y o que en por para con mi mis su sus es se lo le les me este esta hola',
    'der die das den dem des ein eine einen einem und oder zu im mit von für auf ist sind ich mich mir wir sie es bitte',
    'le les des du et ou je vous nous il elle ce cette mon ma mes est au aux pour dans sur avec',
    'o os as do da dos das e em um uma meu minha na nos ao com',
    'il lo gli di della e che per mio mia sono ho ha',
    'het een en van ik dat met op te zijn voor mijn je u er',
  ]
    .join(' ')
    .split(' '),
);

/** Content-word unigrams and bigrams of lower-cased NFKC text, with their counts. */
function terms(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  let previous: string | undefined;
  for (const match of text.normalize('NFKC').toLowerCase().matchAll(TOKEN)) {
    const token = match[0];
    if (FUNCTION_WORDS.has(token)) continue;
    counts.set(token, (counts.get(token) ?? 0) + 1);
    if (previous !== undefined) {
      const bigram = `${previous} ${token}`;
      counts.set(bigram, (counts.get(bigram) ?? 0) + 1);
    }
    previous = token;
  }
  return counts;
}

/**
 * Creates the local tier from labelled examples. The winning label is the one with the largest vote among the `k`
 * examples most similar to the input (cosine similarity of TF-IDF vectors of word unigrams and bigrams, each vote
 * weighted by the similarity squared). `confidence` is the winner's share of the vote, scaled down when even the
 * nearest example is a loose match, so that unfamiliar input escalates; input sharing no word with any example gets
 * the most frequent label with confidence 0. `reply` is always null: this tier only classifies.
 */
export function createLocalTier(options: LocalTierOptions): ModelTier & { labels: string[] } {
  const { name, model, costPerRequestUsd, examples } = options;
  const k = options.k ?? 5;
  if (!Number.isInteger(k) || k < 1) throw new Error(`local tier ${name}: k must be a positive integer, got ${k}`);
  if (examples.length === 0) throw new Error(`local tier ${name}: no labelled examples`);

  const labels = [...new Set(examples.map((example) => example.label))].sort();
  const labelIndex = new Map(labels.map((label, index) => [label, index]));
  const exampleLabels = Int32Array.from(examples, (example) => labelIndex.get(example.label) ?? 0);

  // The most frequent label answers when nothing matches; ties go to the first label in sorted order.
  const labelCounts = new Array<number>(labels.length).fill(0);
  for (const label of exampleLabels) labelCounts[label] = (labelCounts[label] ?? 0) + 1;
  const mostFrequent = labels[labelCounts.indexOf(Math.max(...labelCounts))] ?? labels[0] ?? '';

  // Smoothed inverse document frequency. A word no example has gets the largest weight, as if seen in none: it counts
  // in the input's norm, so input that is mostly unfamiliar words cannot look close to an example. An unseen pair of
  // words is left out instead: a new phrasing of familiar words is not unfamiliar input.
  const exampleTerms = examples.map((example) => terms(example.text));
  const documentFrequency = new Map<string, number>();
  for (const counts of exampleTerms) for (const term of counts.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  const idf = (df: number) => Math.log((1 + examples.length) / (1 + df)) + 1;
  const unseenIdf = idf(0);

  // An inverted index of the unit-length example vectors: term → (example, weight) postings, so a prediction touches
  // only the examples that share a term with the input.
  const postings = new Map<string, { examples: number[]; weights: number[] }>();
  exampleTerms.forEach((counts, exampleIndex) => {
    const weights = new Map<string, number>();
    let squared = 0;
    for (const [term, count] of counts) {
      const weight = (1 + Math.log(count)) * idf(documentFrequency.get(term) ?? 0);
      weights.set(term, weight);
      squared += weight * weight;
    }
    const norm = Math.sqrt(squared);
    for (const [term, weight] of weights) {
      let list = postings.get(term);
      if (list === undefined) postings.set(term, (list = { examples: [], weights: [] }));
      list.examples.push(exampleIndex);
      list.weights.push(weight / norm);
    }
  });

  function classify(text: string): Prediction {
    const dots = new Float64Array(examples.length);
    let squared = 0;
    for (const [term, count] of terms(text)) {
      const list = postings.get(term);
      if (list === undefined && term.includes(' ')) continue;
      const weight = (1 + Math.log(count)) * (list === undefined ? unseenIdf : idf(list.examples.length));
      squared += weight * weight;
      if (list === undefined) continue;
      for (let i = 0; i < list.examples.length; i++) {
        const exampleIndex = list.examples[i] ?? 0;
        dots[exampleIndex] = (dots[exampleIndex] ?? 0) + weight * (list.weights[i] ?? 0);
      }
    }
    const norm = Math.sqrt(squared);
    if (norm === 0) return { label: mostFrequent, confidence: 0, reply: null };

    // The k most similar examples, by similarity then by file order so that equal scores always pick the same ones.
    const nearest: number[] = [];
    for (let i = 0; i < dots.length; i++) {
      if ((dots[i] ?? 0) <= 0) continue;
      nearest.push(i);
    }
    if (nearest.length === 0) return { label: mostFrequent, confidence: 0, reply: null };
    nearest.sort((a, b) => (dots[b] ?? 0) - (dots[a] ?? 0) || a - b);
    nearest.length = Math.min(nearest.length, k);

    // Each neighbour votes with its similarity squared, so that the nearest matches decide and the tail of examples
    // that share a single incidental word with the input barely dilutes the vote.
    const votes = new Array<number>(labels.length).fill(0);
    let total = 0;
    for (const exampleIndex of nearest) {
      const similarity = (dots[exampleIndex] ?? 0) / norm;
      const label = exampleLabels[exampleIndex] ?? 0;
      votes[label] = (votes[label] ?? 0) + similarity * similarity;
      total += similarity * similarity;
    }
    // Ties in the vote go to the label of the nearer example, which comes first in `nearest`.
    let winner = exampleLabels[nearest[0] ?? 0] ?? 0;
    votes.forEach((vote, label) => {
      if (vote > (votes[winner] ?? 0)) winner = label;
    });
    const bestSimilarity = (dots[nearest[0] ?? 0] ?? 0) / norm;
    const share = (votes[winner] ?? 0) / total;
    const confidence = share * Math.min(1, bestSimilarity / CLEAR_MATCH_SIMILARITY);
    return { label: labels[winner] ?? mostFrequent, confidence: Math.min(1, Math.max(0, confidence)), reply: null };
  }

  return {
    name,
    kind: 'local',
    model,
    costPerRequestUsd,
    labels,
    predict(text: string, signal: AbortSignal): Promise<Prediction> {
      if (signal.aborted) {
        return Promise.reject(new TierError(name, 'aborted', `${name}: aborted before classifying`, { cause: signal.reason }));
      }
      try {
        return Promise.resolve(classify(text));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}
