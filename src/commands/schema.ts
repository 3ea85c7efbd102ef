import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';

export default class Schema extends BaseCommand {
  static override summary = 'Print the JSON Schema of the shipshape/v1 spec.';
  static override description =
    'The schema is generated from the same zod schema that validates specs, so editors that read it (through the `# yaml-language-server: $schema=...` line that `init` writes) complete and validate exactly what `check` accepts.';
  static override examples = [
    '<%= config.bin %> schema',
    '<%= config.bin %> schema --out shipshape.schema.json',
    '<%= config.bin %> schema --markdown > docs/spec.md',
  ];
  static override flags = {
    out: Flags.string({ char: 'o', description: 'Write the schema to this file instead of standard output.', exclusive: ['markdown'] }),
    markdown: Flags.boolean({ description: 'Print the spec reference as Markdown (docs/spec.md): every field, its type and meaning.' }),
    force: Flags.boolean({
      description: 'With --out: replace an existing file that is not a previous schema (never the spec or a generated file).',
      dependsOn: ['out'],
    }),
  };

  async run(): Promise<{ written?: string; schema?: unknown }> {
    const { flags } = await this.parse(Schema);
    if (flags.markdown) {
      const { renderSpecDoc } = await import('../spec/spec-doc.js');
      if (!this.jsonEnabled()) this.out(renderSpecDoc());
      return {};
    }
    const { jsonSchema, writeJsonSchema } = await import('../spec/json-schema.js');
    if (flags.out) {
      const { guardOutputPath, JSON_SCHEMA } = await import('../state/output-path.js');
      await guardOutputPath(flags.out, { cwd: process.cwd(), kind: JSON_SCHEMA, force: flags.force, flag: '--out' });
      const written = await writeJsonSchema(flags.out);
      this.note(`Wrote ${written}`);
      return { written };
    }
    const schema = jsonSchema();
    if (!this.jsonEnabled()) this.log(JSON.stringify(schema, null, 2));
    return { schema };
  }
}
