import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../src/check/messages.js';
import { RULES } from '../../src/check/rules/index.js';
import { BugError } from '../../src/errors.js';

const rule = { id: 'demo-rule', messages: { over: '{{what}} is {{ value }} ms, over {{limit}} ms.', plain: 'No placeholders.' } };

describe('renderMessage', () => {
  it('fills each placeholder from the data, spaces inside the braces allowed, numbers as text', () => {
    expect(renderMessage(rule, 'over', { what: 'p95', value: '1,300', limit: 1200 })).toBe('p95 is 1,300 ms, over 1200 ms.');
    expect(renderMessage(rule, 'plain')).toBe('No placeholders.');
  });

  it('places data as it is: no `$` patterns, no second round of placeholders', () => {
    expect(renderMessage(rule, 'over', { what: '$&', value: '{{limit}}', limit: 1 })).toBe('$& is {{limit}} ms, over 1 ms.');
  });

  it('throws a BugError naming the rule for an unknown messageId or a placeholder without data', () => {
    expect(() => renderMessage(rule, 'under')).toThrow(BugError);
    expect(() => renderMessage(rule, 'under')).toThrow(/demo-rule.*"under"/);
    expect(() => renderMessage(rule, 'toString')).toThrow(BugError);
    expect(() => renderMessage(rule, 'over', { what: 'p95', value: 1 })).toThrow(/demo-rule.*\{\{limit\}\}/);
  });

  it('finds every built-in rule with at least one message, each a non-empty template', () => {
    for (const { id, messages } of RULES) {
      expect(Object.keys(messages).length, id).toBeGreaterThan(0);
      for (const template of Object.values(messages)) expect(template.trim(), id).not.toBe('');
    }
  });
});
