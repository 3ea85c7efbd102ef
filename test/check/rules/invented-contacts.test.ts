import { inventedContacts } from '../../../src/check/rules/invented-contacts.js';
import { ONCALL_PLACEHOLDER, OWNER_PLACEHOLDER } from '../../../src/spec/placeholder.js';
import type { Spec } from '../../../src/spec/schema.js';
import { example } from './helpers.js';
import { testRule } from './tester.js';

function withContacts(edit: (spec: Spec) => void): Spec {
  const spec = example();
  edit(spec);
  return spec;
}

testRule(inventedContacts, {
  valid: [
    { name: 'the reference example', spec: example() },
    {
      name: 'an on-call name that only resembles the service name',
      spec: withContacts((spec) => {
        spec.handoff!.oncall = 'support-triage-primary';
      }),
    },
    {
      name: 'a stage-1 spec (no handoff yet) with a real owner',
      spec: withContacts((spec) => {
        delete spec.handoff;
      }),
    },
  ],
  invalid: [
    {
      name: 'the login that ran init as the owner',
      spec: withContacts((spec) => {
        spec.metadata.owner = 'root';
      }),
      reports: [{ messageId: 'account', data: { owner: 'root' }, path: ['metadata', 'owner'] }],
    },
    {
      name: 'the placeholder design writes for the on-call rotation, and the owner placeholder escalated to',
      spec: withContacts((spec) => {
        spec.handoff = { oncall: ONCALL_PLACEHOLDER, escalation: ['lead@example.com', OWNER_PLACEHOLDER] };
      }),
      reports: [
        { messageId: 'oncallPlaceholder', path: ['handoff', 'oncall'] },
        { messageId: 'escalation', data: { contact: OWNER_PLACEHOLDER, what: 'a placeholder' }, path: ['handoff', 'escalation', 1] },
      ],
    },
    {
      name: 'the on-call name earlier versions of design made up from the team',
      spec: withContacts((spec) => {
        spec.handoff!.oncall = 'support-platform-oncall';
      }),
      reports: [{ messageId: 'oncallInvented', data: { oncall: 'support-platform-oncall', from: 'team name (support-platform)' } }],
    },
    {
      name: 'the on-call name made up from the service name, when there is no team',
      spec: withContacts((spec) => {
        delete spec.metadata.team;
        spec.handoff!.oncall = 'support-triage-oncall';
      }),
      reports: [{ messageId: 'oncallInvented', data: { oncall: 'support-triage-oncall', from: 'service name (support-triage)' } }],
    },
  ],
});
