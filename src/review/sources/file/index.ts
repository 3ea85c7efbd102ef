/**
 * Actuals from a snapshot file (`review --metrics FILE`): YAML or JSON (JSON is YAML), read
 * through the spec's bounded reader and validated by actualsSchema, so a malformed snapshot is
 * one line at its file:line:col and exit 2. See README, "shipshape review", for the shape.
 */
import { statSync } from 'node:fs';
import { BugError, UserError } from '../../../errors.js';
import { readYamlFile, validate } from '../../../spec/yaml-file.js';
import { actualsSchema } from '../../actuals.js';
import type { MetricSource } from '../types.js';

const HINT =
  'A snapshot holds metrics (by name), slo (availability, p95Ms, p99Ms), cost (perRequestUsd, monthlyUsd) and drift (by feature); see README, "shipshape review".';

export const fileSource: MetricSource = {
  kind: 'file',
  describe: ({ display, file }) => `the snapshot ${display ?? file ?? ''}`,
  async read({ file, display }) {
    if (!file) throw new BugError('the file metric source needs a file');
    const name = display ?? file;
    let parsed;
    try {
      // Regular files only: a FIFO or a device would block or never end.
      if (!statSync(file).isFile()) {
        throw new UserError(`the snapshot ${name} is not a regular file`, { hint: 'Pass a YAML or JSON file to --metrics.' });
      }
      parsed = await readYamlFile(file, name, 'snapshot');
    } catch (error) {
      if (error instanceof UserError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new UserError(`cannot read the snapshot ${name} (${code ?? String(error)})`, {
        hint: 'Check the path given to --metrics.',
        cause: error,
      });
    }
    const diagnostics = parsed.diagnostics.length > 0 ? parsed.diagnostics : validate(parsed, actualsSchema).diagnostics;
    const first = diagnostics[0];
    if (first) {
      throw new UserError(`${first.message}${diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more problems)` : ''}`, {
        file: name,
        position: { line: first.line, column: first.column },
        hint: first.hint ?? HINT,
      });
    }
    return actualsSchema.parse(parsed.data);
  },
};
