/**
 * Small helpers shared by the built-in rules: number formatting for messages that show their
 * arithmetic, did-you-mean suffixes, and reports that carry their own severity.
 */
import { didYouMean } from '../../spec/suggest.js';
import type { Rule, RuleReport, SpecRule, TextRule } from '../types.js';

/**
 * A report that may set its own severity, for rules whose softer findings are warnings (a cascade
 * without an escalation rate, a scenario whose fault does not fit its failure mode). Without it a
 * report takes the rule's severity.
 */
export type Report = RuleReport;

export function warn<Id extends string>(report: RuleReport<Id>): RuleReport<Id> {
  return { ...report, severity: 'warn' };
}

export { ms, num, percentOf, usd } from '../../text/number.js';

/** ` (did you mean "x"?)`, or nothing when no candidate is close. */
export function suggestion(word: string, candidates: Iterable<string>): string {
  const close = didYouMean(word, candidates);
  return close ? ` (did you mean "${close}"?)` : '';
}

export function quoted(items: readonly string[]): string[] {
  return items.map((item) => `"${item}"`);
}

/**
 * A rule, with its message ids inferred from `messages`: a report whose messageId the rule does
 * not declare is a type error.
 */
export function defineRule<const Id extends string>(rule: SpecRule<Id>): SpecRule<Id>;
export function defineRule<const Id extends string>(rule: TextRule<Id>): TextRule<Id>;
export function defineRule<const Id extends string>(rule: Rule<Id>): Rule<Id> {
  return rule;
}
