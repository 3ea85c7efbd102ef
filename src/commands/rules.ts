import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import type { RuleMeta } from '../check/types.js';

export default class Rules extends BaseCommand {
  static override summary = 'List the rules of `shipshape check`: id, default severity, stage and what each checks.';
  static override description =
    'Rule ids are what a policy file sets severities, overrides and exceptions for. `--markdown` prints docs/rules.md, which is generated from the same metadata.';
  static override examples = ['<%= config.bin %> rules', '<%= config.bin %> rules --markdown > docs/rules.md'];
  static override flags = {
    markdown: Flags.boolean({ description: 'Print the rules reference as Markdown (docs/rules.md).' }),
  };

  async run(): Promise<{ rules: RuleMeta[] }> {
    const { flags } = await this.parse(Rules);
    const { ALL_RULES } = await import('../check/engine.js');
    const rules = [...ALL_RULES];
    if (this.jsonEnabled()) return { rules };
    if (flags.markdown) {
      const { renderRulesDoc } = await import('../check/rules-doc.js');
      this.out(renderRulesDoc(rules));
      return { rules };
    }
    const width = Math.max(...rules.map((rule) => rule.id.length));
    for (const rule of rules) {
      this.log(`${rule.id.padEnd(width)}  ${rule.defaultSeverity.padEnd(5)}  stage ${rule.stage}  ${rule.description}`);
    }
    return { rules };
  }
}
