import { inventedOncall, isPlaceholder, isSystemAccount } from '../../spec/placeholder.js';
import { defineRule } from './util.js';
import type { RuleReport } from '../types.js';

export const inventedContacts = defineRule({
  id: 'invented-contacts',
  description:
    'The owner, the on-call rotation and the escalation contacts are ones someone chose: not a login a tool picked up (`root`), a name `design` made up (`<team>-oncall`) or a placeholder.',
  defaultSeverity: 'warn',
  stage: 1,
  rationale:
    'The runbook, the alerts and the review all send people to these names. `init --yes` and `design` write placeholders where nobody has chosen yet (`<owner>`, `<on-call rotation>`), and earlier versions wrote the account running them and an on-call name derived from the team: they look real, page nobody, and stay until someone notices at 3 a.m.',
  hint: 'Set metadata.owner to the person or team who answers for the service, and handoff.oncall to the rotation that gets paged (its pager schedule or channel).',
  examples: {
    pass: `metadata:
  name: support-triage
  owner: support-ai-lead@example.com
  team: support-platform
handoff:
  oncall: support-ai-oncall
  escalation: [support-ai-lead@example.com]`,
    fail: `metadata:
  name: support-triage
  owner: root
  team: support-platform
handoff:
  oncall: support-platform-oncall
  escalation: [<owner>]`,
  },
  messages: {
    account: 'metadata.owner "{{owner}}" is the login of the account that ran init, not a person or team who answers for the service.',
    oncallPlaceholder: 'handoff.oncall is the placeholder "{{oncall}}": no rotation is named to be paged.',
    oncallInvented: 'handoff.oncall "{{oncall}}" is the name design makes up from the {{from}}: nobody chose it, and it may page nobody.',
    escalation: 'handoff.escalation lists "{{contact}}", which is {{what}}: nobody is named to escalate to.',
  },
  check({ spec }) {
    const reports: RuleReport[] = [];
    const owner = spec.metadata.owner.trim();
    if (isSystemAccount(owner)) reports.push({ path: ['metadata', 'owner'], messageId: 'account', data: { owner } });
    const handoff = spec.handoff;
    if (!handoff) return reports;
    const oncall = handoff.oncall.trim();
    if (isPlaceholder(oncall)) {
      reports.push({ path: ['handoff', 'oncall'], messageId: 'oncallPlaceholder', data: { oncall } });
    } else if (oncall === inventedOncall(spec.metadata)) {
      const from = spec.metadata.team ? `team name (${spec.metadata.team})` : `service name (${spec.metadata.name})`;
      reports.push({ path: ['handoff', 'oncall'], messageId: 'oncallInvented', data: { oncall, from } });
    }
    (handoff.escalation ?? []).forEach((contact, index) => {
      const what = isPlaceholder(contact) ? 'a placeholder' : isSystemAccount(contact) ? 'a login, not a person' : undefined;
      if (what) reports.push({ path: ['handoff', 'escalation', index], messageId: 'escalation', data: { contact: contact.trim(), what } });
    });
    return reports;
  },
});
