/**
 * Rendering a rule's report into its message: the rule's template for the report's messageId,
 * with `{{placeholders}}` filled from the report's data.
 */
import { BugError } from '../errors.js';
import type { MessageData, Rule } from './types.js';

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/**
 * The message of a report of `rule`. An unknown messageId or a placeholder without data is a bug
 * in the rule, never the user's: it throws a BugError naming the rule.
 */
export function renderMessage(rule: Pick<Rule, 'id' | 'messages'>, messageId: string, data: MessageData = {}): string {
  const template = Object.hasOwn(rule.messages, messageId) ? rule.messages[messageId] : undefined;
  if (template === undefined) {
    throw new BugError(`rule ${rule.id} reported the unknown messageId "${messageId}" (it has ${Object.keys(rule.messages).join(', ')})`);
  }
  return template.replace(PLACEHOLDER, (_, name: string) => {
    if (!Object.hasOwn(data, name))
      throw new BugError(`rule ${rule.id}: message "${messageId}" needs data for {{${name}}}, and the report has none`);
    return String(data[name]);
  });
}
