import { formatPath, type DocPath } from '../../spec/doc-path.js';
import { defineRule } from './util.js';
import type { RuleReport } from '../types.js';

interface IdList {
  what: string;
  /** Where the list lives, and the key of each item that must be unique. */
  path: DocPath;
  key: string;
  items: readonly Record<string, unknown>[] | undefined;
}

function duplicates(list: IdList): RuleReport<'duplicate'>[] {
  const reports: RuleReport<'duplicate'>[] = [];
  const first = new Map<string, number>();
  (list.items ?? []).forEach((item, index) => {
    const value = item[list.key];
    if (typeof value !== 'string') return;
    const earlier = first.get(value);
    if (earlier === undefined) {
      first.set(value, index);
      return;
    }
    reports.push({
      path: [...list.path, index, list.key],
      messageId: 'duplicate',
      data: { what: list.what, value, at: formatPath([...list.path, index]), earlier: formatPath([...list.path, earlier]) },
    });
  });
  return reports;
}

export const uniqueIds = defineRule({
  id: 'unique-ids',
  description: 'Ids are unique within failureModes, successCriteria and scenarios; tier names are unique; no pattern is listed twice.',
  defaultSeverity: 'error',
  stage: 1,
  rationale:
    'Ids are how the spec refers to itself: scenarios name failure modes, faults name tiers, and the generated code, metric labels and report files are named after them. Two items with one id make every reference ambiguous and one of them silently unreachable.',
  hint: 'Rename or merge the duplicate; ids must be unique within their list.',
  examples: {
    pass: `failureModes:
  - { id: llm-outage, kind: upstream-failure, likelihood: medium, impact: high }
  - { id: llm-slow, kind: latency-spike, likelihood: high, impact: medium }`,
    fail: `failureModes:
  - { id: llm-outage, kind: upstream-failure, likelihood: medium, impact: high }
  - { id: llm-outage, kind: latency-spike, likelihood: high, impact: medium }`,
  },
  messages: {
    duplicate: '{{what}} "{{value}}" is listed twice: {{at}} repeats {{earlier}}.',
  },
  check({ spec }) {
    const lists: IdList[] = [
      { what: 'failure mode id', path: ['failureModes'], key: 'id', items: spec.failureModes },
      { what: 'success criterion id', path: ['business', 'successCriteria'], key: 'id', items: spec.business.successCriteria },
      { what: 'scenario id', path: ['scenarios'], key: 'id', items: spec.scenarios },
      { what: 'tier name', path: ['models', 'tiers'], key: 'name', items: spec.models?.tiers },
      { what: 'pattern', path: ['architecture', 'patterns'], key: 'pattern', items: spec.architecture?.patterns },
    ];
    return lists.flatMap(duplicates);
  },
});
