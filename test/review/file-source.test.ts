import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSource } from '../../src/review/sources/file/index.js';
import { put } from '../helpers/generated.js';
import { tempDir } from '../helpers/temp.js';
import { rejection } from '../helpers/errors.js';

const read = (file: string) => fileSource.read({ file, display: 'metrics.yaml', queries: [] });

describe('the snapshot metric source', () => {
  it('reads a YAML snapshot, comments and all', async () => {
    const file = put(
      tempDir(),
      'metrics.yaml',
      `# exported from the dashboard on 2026-03-01
metrics:
  median_first_response_minutes: 75
  routing_accuracy: 0.93
slo: { availability: 99.95, p95Ms: 900, p99Ms: 2100 }
cost: { perRequestUsd: 0.0015, monthlyUsd: 8200 }
drift: { language: 0.12 }
`,
    );
    expect(await read(file)).toEqual({
      metrics: { median_first_response_minutes: 75, routing_accuracy: 0.93 },
      slo: { availability: 99.95, p95Ms: 900, p99Ms: 2100 },
      cost: { perRequestUsd: 0.0015, monthlyUsd: 8200 },
      drift: { language: 0.12 },
    });
  });

  it('reads a JSON snapshot, and a partial one', async () => {
    const file = put(tempDir(), 'metrics.json', '{ "slo": { "availability": 99.5 } }\n');
    expect(await read(file)).toEqual({ slo: { availability: 99.5 } });
  });

  it('points at a misspelt key with its line and column, and suggests the fix', async () => {
    const file = put(tempDir(), 'metrics.yaml', 'slo:\n  p95Ms: 900\n  availabilty: 99.9\n');
    const error = await rejection(read(file));
    expect(error.located).toBe('metrics.yaml:3:3 unknown key "availabilty" in slo; did you mean "availability"?');
    expect(error.exitCode).toBe(2);
  });

  it('refuses a value that is not a number, an availability over 100, and a file that is not YAML', async () => {
    const dir = tempDir();
    expect((await rejection(read(put(dir, 'a.yaml', 'metrics:\n  routing_accuracy: high\n')))).located).toBe(
      'metrics.yaml:2:21 metrics.routing_accuracy must be a number',
    );
    expect((await rejection(read(put(dir, 'b.yaml', 'slo: { availability: 120 }\n')))).located).toMatch(
      /^metrics\.yaml:1:22 slo\.availability/,
    );
    expect((await rejection(read(put(dir, 'c.yaml', 'slo: [1, 2\n')))).message).toContain('YAML syntax error');
    expect((await rejection(read(put(dir, 'd.yaml', Buffer.from([0x00, 0x01]))))).message).toContain('binary file');
  });

  it('says so when the file cannot be read', async () => {
    const error = await rejection(read(join(tempDir(), 'missing.yaml')));
    expect(error.message).toBe('cannot read the snapshot metrics.yaml (ENOENT)');
    expect((await rejection(read(tempDir()))).message).toBe('the snapshot metrics.yaml is not a regular file');
  });
});
