// The JSON Schema every output of an extract service must be valid against (task.extract.schema), compiled with Ajv:
// draft 2020-12 when the schema says so, draft-07 otherwise, with the standard formats.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export interface OutputSchema {
  /** The schema as JSON, as the model is shown it and as the OpenAPI description embeds it. */
  json: Record<string, unknown>;
  /** Why `value` is not valid (one line), or undefined when it is. */
  problem(value: unknown): string | undefined;
}

export function loadSchema(file: string): OutputSchema {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(
      `the output schema ${file} (task.extract.schema) cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const ajv = String(json['$schema'] ?? '').includes('2020-12')
    ? new Ajv2020({ allErrors: true, strict: false })
    : new Ajv({ allErrors: true, strict: false });
  (addFormats as unknown as (ajv: unknown) => void)(ajv);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(json);
  } catch (error) {
    throw new Error(
      `the output schema ${file} (task.extract.schema) is not a valid JSON Schema: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return {
    json,
    problem(value) {
      if (validate(value)) return undefined;
      return (validate.errors ?? [])
        .slice(0, 3)
        .map((error: ErrorObject) => `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`)
        .join('; ');
    },
  };
}
