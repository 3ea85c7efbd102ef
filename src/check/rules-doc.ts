/**
 * docs/rules.md, generated from the rules' own metadata so the reference cannot drift from the
 * code (`npm run docs`; a test fails when the committed file is stale).
 */
import { stageTitle } from '../stages/table.js';
import { cell } from '../text/markdown.js';
import type { RuleMeta } from './types.js';

/** A fence longer than any backtick run inside, so a snippet can never close it early. */
function fenced(code: string, language: string): string {
  const longest = Math.max(0, ...Array.from(code.matchAll(/`+/g), (match) => match[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${code.trimEnd()}\n${fence}`;
}

function section(rule: RuleMeta): string {
  const lines = [
    // The heading is the bare id: GitHub's anchor for `## cost-budget` is #cost-budget.
    `## ${rule.id}`,
    '',
    rule.description,
    '',
    `- Default severity: **${rule.defaultSeverity}**`,
    `- Stage: **${rule.stage}** (${stageTitle(rule.stage)})`,
    '',
    `**Why it matters.** ${rule.rationale}`,
    '',
    `**Try this.** ${rule.hint}`,
  ];
  if (rule.examples) {
    lines.push('', 'Passes:', '', fenced(rule.examples.pass, 'yaml'), '', 'Fails:', '', fenced(rule.examples.fail, 'yaml'));
  }
  return lines.join('\n');
}

/** The Markdown of docs/rules.md: a title, a table of contents, then a section per rule. */
export function renderRulesDoc(rules: readonly RuleMeta[]): string {
  const toc = [
    '| Rule | Default severity | Stage | Checks |',
    '| --- | --- | --- | --- |',
    ...rules.map((rule) => `| [${rule.id}](#${rule.id}) | ${rule.defaultSeverity} | ${rule.stage} | ${cell(rule.description)} |`),
  ];
  const intro = [
    '# Rules of `shipshape check`',
    '',
    '<!-- Generated from the rules themselves by `npm run docs` (src/check/rules-doc.ts). Do not edit by hand. -->',
    '',
    '`shipshape check` runs every rule whose stage the spec has reached (the highest stage whose section it holds), or every rule up to `--stage N`. ' +
      "A policy file (`shipshape.policy.yaml`) can change a rule's severity, turn it off, or grant a dated exception, by rule id. " +
      '`shipshape rules` lists the same table in the terminal.',
    '',
    ...toc,
  ];
  return `${[intro.join('\n'), ...rules.map(section)].join('\n\n')}\n`;
}
