/**
 * Whether a spec's fallback has something to answer with. A fallback is a chain (the generated
 * router's): lower-tier falls to the static answer; cache falls to the lower tier, then the static
 * answer; static is the static answer alone. A static answer ends every chain, so with one the
 * fallback always answers; without one, lower-tier and cache need a second tier to fall to, and
 * static has nothing at all. Used by design (which writes a static answer where one is needed),
 * the budget's availability arithmetic and the `fallback-answer` check rule.
 */
import type { Spec } from '../spec/schema.js';

/** Why a fallback cannot answer: each is a messageId of the `fallback-answer` rule. */
export type FallbackGap = 'noStaticAnswer' | 'noStaticText' | 'noLowerTier' | 'coldCache';

/** The answer design writes when a fallback needs one: a label no tier gives, which a person can pick up. */
export const DEFAULT_STATIC_ANSWER = {
  label: 'needs-review',
  reply: 'We could not answer automatically; a person will follow up.',
} as const;

/** A rag service's static answer: no citations; the generated service marks it degraded. */
export const DEFAULT_RAG_STATIC_ANSWER = {
  answer: 'We could not find an answer in our documents; a person will follow up.',
  citations: [],
} as const;

/**
 * The static answer design writes for the spec's task, or none: an extract service's answer must
 * be valid against its own JSON Schema, which only its owner can write.
 */
export function defaultStaticAnswer(spec: Spec): Record<string, unknown> | undefined {
  const task = spec.task?.kind ?? 'classify';
  if (task === 'rag') return { answer: DEFAULT_RAG_STATIC_ANSWER.answer, citations: [] };
  if (task === 'extract') return undefined;
  return { ...DEFAULT_STATIC_ANSWER };
}

/**
 * The label a static answer gives: its `label` field, or else its first text field other than
 * `reply` (`queue` in a triage service), as the generated service reads it.
 */
export function staticLabel(answer: Readonly<Record<string, unknown>>): string | undefined {
  if (typeof answer['label'] === 'string') return answer['label'];
  return Object.entries(answer).find((entry): entry is [string, string] => entry[0] !== 'reply' && typeof entry[1] === 'string')?.[1];
}

/** Why the spec's fallback cannot answer when every tier fails; undefined when it can, or when there is none. */
export function fallbackGap(spec: Spec): FallbackGap | undefined {
  const fallback = spec.resilience?.fallback;
  if (!fallback) return undefined;
  // A label is a classifier's answer; a rag or extract answer's shape is the `task-fallback` rule's.
  if (fallback.static)
    return (spec.task?.kind ?? 'classify') === 'classify' && staticLabel(fallback.static) === undefined ? 'noStaticText' : undefined;
  const secondTier = (spec.models?.tiers.length ?? 0) >= 2;
  if (fallback.strategy === 'static') return 'noStaticAnswer';
  if (fallback.strategy === 'lower-tier' && !secondTier) return 'noLowerTier';
  if (fallback.strategy === 'cache' && !secondTier) return 'coldCache';
  return undefined;
}
