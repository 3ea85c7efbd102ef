import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEPLOYMENTS_FILE,
  parseHistory,
  readHistory,
  saveDeployment,
  servingVersion,
  type Deployment,
} from '../../src/state/deployments.js';
import { tempDir } from '../helpers/temp.js';

const base: Deployment = { id: 'd1', specHash: 'abc', status: 'in-progress', startedAt: '2026-12-01T10:00:00.000Z', version: 'v1' };

describe('the deployment history', () => {
  it('reads the old shape, a bare array, and an entry with only an end date', () => {
    expect(parseHistory({ deployments: [{ specHash: 'a', status: 'promoted', startedAt: 's', finishedAt: 'f' }] })).toEqual({
      value: [{ specHash: 'a', status: 'promoted', startedAt: 's', finishedAt: 'f' }],
    });
    expect(parseHistory([{ status: 'failed', finishedAt: 'f' }])).toEqual({
      value: [{ specHash: '', status: 'failed', startedAt: 'f', finishedAt: 'f' }],
    });
  });

  it('names the entry that does not fit', () => {
    expect(parseHistory({})).toEqual({ error: 'has no "deployments" list' });
    expect(parseHistory({ deployments: [{ status: 'promoted', startedAt: 's' }, { specHash: 'x' }] })).toEqual({
      error: 'entry 2 has no "status"',
    });
    expect(parseHistory({ deployments: [{ status: 'promoted', startedAt: 's', steps: 'many' }] })).toEqual({
      error: 'entry 1 has a bad "steps"',
    });
  });

  it('keeps an unknown status as it is, for status to show', () => {
    const parsed = parseHistory({ deployments: [{ status: 'paused', startedAt: 's' }] });
    expect(parsed).toEqual({ value: [{ specHash: '', status: 'paused', startedAt: 's' }] });
  });

  it('saves a record by id, replacing the earlier state of the same rollout', async () => {
    const dir = tempDir();
    await saveDeployment(dir, base);
    await saveDeployment(dir, { ...base, id: 'd2', version: 'v2' });
    await saveDeployment(dir, { ...base, status: 'promoted', finishedAt: '2026-12-01T10:05:00.000Z' });
    const read = await readHistory(dir);
    expect('records' in read && read.records.map((r) => [r.id, r.status])).toEqual([
      ['d1', 'promoted'],
      ['d2', 'in-progress'],
    ]);
    expect(JSON.parse(readFileSync(join(dir, DEPLOYMENTS_FILE), 'utf8'))).toHaveProperty('deployments');
  });

  it('says what is wrong with a file that is not JSON', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, '.shipshape'));
    writeFileSync(join(dir, DEPLOYMENTS_FILE), '{ nope');
    expect(await readHistory(dir)).toHaveProperty('error');
    expect(await readHistory(tempDir())).toEqual({ records: [] });
  });

  it('serves the last promotion, never a drill', () => {
    const promoted = { ...base, status: 'promoted' as const };
    const drill = {
      ...base,
      id: 'd2',
      version: 'v2',
      status: 'promoted' as const,
      drill: { errorRate: 1, passed: false, failedRequests: 0, totalRequests: 0 },
    };
    expect(servingVersion([promoted, drill])?.version).toBe('v1');
    expect(servingVersion([{ ...base, status: 'rolled-back' }])).toBeUndefined();
  });
});
