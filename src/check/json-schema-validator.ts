/**
 * JSON Schema validation for the `task-files` rule, with ajv. ajv is loaded only when a spec names
 * an extract schema, through require at run time rather than from the bundle, so `check` on any
 * other spec neither parses nor loads it.
 */
import { createRequire } from 'node:module';

type AjvInstance = {
  compile(schema: unknown): ((data: unknown) => boolean) & {
    errors?: Array<{ instancePath: string; message?: string }> | null;
  };
  errorsText?(errors: unknown): string;
};
type AjvClass = new (options: Record<string, unknown>) => AjvInstance;

const MODULES = { '2020-12': 'ajv/dist/2020', '07': 'ajv' } as const;

/** A compiled schema's validator (undefined when valid, else the first problem), or why it does not compile. */
export function loadJsonSchemaValidator(
  draft: keyof typeof MODULES,
  schema: unknown,
): { validate(data: unknown): string | undefined } | { error: string } {
  const required = createRequire(import.meta.url)(MODULES[draft]) as { default: AjvClass };
  // Unknown keywords and formats are the schema author's business, not a reason to refuse it.
  const ajv = new required.default({ strict: false, allErrors: false, validateFormats: false });
  let check: ReturnType<AjvInstance['compile']>;
  try {
    check = ajv.compile(schema);
  } catch (error) {
    return { error: (error as Error).message };
  }
  return {
    validate(data) {
      if (check(data)) return undefined;
      const first = check.errors?.[0];
      return first ? `${first.instancePath || '(the object)'} ${first.message ?? 'is not valid'}` : 'is not valid';
    },
  };
}
