import { describe, expect, it } from 'vitest';
import { RULE_META } from '../../src/check/rules/index.js';
import { renderRulesDoc } from '../../src/check/rules-doc.js';
import type { RuleMeta } from '../../src/check/types.js';

describe('renderRulesDoc', () => {
  const doc = renderRulesDoc(RULE_META);

  it('has a title, a table of contents linking each rule, and a section per rule', () => {
    expect(doc.startsWith('# Rules of `shipshape check`\n')).toBe(true);
    for (const rule of RULE_META) {
      expect(doc).toContain(`| [${rule.id}](#${rule.id}) | ${rule.defaultSeverity} | ${rule.stage} |`);
      expect(doc).toContain(`\n## ${rule.id}\n`);
    }
    expect(doc.match(/^## /gm)).toHaveLength(RULE_META.length);
  });

  it('gives each section its description, severity, stage, rationale, hint and examples', () => {
    const sections = doc.split(/^## /m).slice(1);
    RULE_META.forEach((rule, index) => {
      const section = sections[index]!;
      expect(section.startsWith(`${rule.id}\n`)).toBe(true);
      expect(section).toContain(rule.description);
      expect(section).toContain(`Default severity: **${rule.defaultSeverity}**`);
      expect(section).toContain(`Stage: **${rule.stage}**`);
      expect(section).toContain(rule.rationale);
      expect(section).toContain(rule.hint);
      expect(section).toContain(`Passes:\n\n\`\`\`yaml\n${rule.examples!.pass.trimEnd()}\n\`\`\``);
      expect(section).toContain(`Fails:\n\n\`\`\`yaml\n${rule.examples!.fail.trimEnd()}\n\`\`\``);
    });
  });

  it('keeps the table intact when a description has a pipe or a line break, and fences a snippet with backticks', () => {
    const rule: RuleMeta = {
      id: 'odd-rule',
      description: 'a | b\nc',
      defaultSeverity: 'info',
      stage: 3,
      rationale: 'Because.',
      hint: 'Do it.',
      examples: { pass: 'a: 1', fail: 'b: "```"' },
    };
    const out = renderRulesDoc([rule]);
    expect(out).toContain('| [odd-rule](#odd-rule) | info | 3 | a \\| b c |');
    expect(out).toContain('````yaml\nb: "```"\n````');
    expect(out.endsWith('\n')).toBe(true);
    expect(out.endsWith('\n\n')).toBe(false);
  });

  it('leaves out the examples of a rule that has none', () => {
    const out = renderRulesDoc([{ id: 'bare', description: 'Bare.', defaultSeverity: 'warn', stage: 1, rationale: 'R.', hint: 'H.' }]);
    expect(out).toContain('## bare');
    expect(out).not.toContain('Passes:');
  });
});
