import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectFiles } from '../../../src/check/project.js';
import { handoffFresh } from '../../../src/check/rules/handoff-fresh.js';
import type { RuleContext } from '../../../src/check/types.js';
import { put } from '../../helpers/generated.js';
import { tempDir } from '../../helpers/temp.js';
import { example } from './helpers.js';

const context = (dir: string): RuleContext => ({
  spec: example(),
  stage: 7,
  strings: () => [],
  project: projectFiles(join(dir, 'shipshape.yaml')),
});
const at = (dir: string, file: string, iso: string) => utimesSync(join(dir, file), new Date(iso), new Date(iso));

describe('handoff-fresh', () => {
  it('says nothing before the runbook is written, or when it is newer than the spec', () => {
    const dir = tempDir();
    put(dir, 'shipshape.yaml', 'apiVersion: shipshape/v1\n');
    expect(handoffFresh.check(context(dir))).toEqual([]);
    put(dir, 'docs/runbook.md', '# Runbook\n');
    put(dir, 'monitoring/prometheus-rules.yaml', 'groups: []\n');
    at(dir, 'shipshape.yaml', '2026-11-20T10:00:00Z');
    at(dir, 'docs/runbook.md', '2026-11-20T10:05:00Z');
    at(dir, 'monitoring/prometheus-rules.yaml', '2026-11-20T10:00:00Z');
    expect(handoffFresh.check(context(dir))).toEqual([]);
  });

  it('warns at each file older than the spec', () => {
    const dir = tempDir();
    put(dir, 'shipshape.yaml', 'apiVersion: shipshape/v1\n');
    put(dir, 'docs/runbook.md', '# Runbook\n');
    put(dir, 'monitoring/prometheus-rules.yaml', 'groups: []\n');
    at(dir, 'docs/runbook.md', '2026-11-20T10:05:00Z');
    at(dir, 'monitoring/prometheus-rules.yaml', '2026-11-20T10:05:00Z');
    at(dir, 'shipshape.yaml', '2026-11-21T09:00:00Z');
    const reports = handoffFresh.check(context(dir));
    expect(reports.map((report) => report.file)).toEqual(['docs/runbook.md', 'monitoring/prometheus-rules.yaml']);
    expect(reports.map((report) => [report.messageId, report.data])).toEqual([
      ['older', { what: 'runbook', file: 'docs/runbook.md' }],
      ['older', { what: 'Prometheus rules', file: 'monitoring/prometheus-rules.yaml' }],
    ]);
  });
});
