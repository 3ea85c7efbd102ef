/**
 * The ADR's handlebars template and how it is compiled, apart from the rest of adr.ts so the build
 * can precompile it: in the bundles (scripts/build.js) compileAdrTemplate() is the template
 * precompiled with these same options and run by the handlebars runtime, so `design` does not
 * load, parse and compile with the handlebars compiler at every run.
 */
import Handlebars from 'handlebars';

export const KEEP_START = '<!-- shipshape:keep -->';
export const KEEP_END = '<!-- /shipshape:keep -->';

export const ADR_COMPILE_OPTIONS = { strict: true, noEscape: true } as const;

export const ADR_TEMPLATE = `# ADR 0001: Architecture of {{name}}

- Status: {{status}}
- Date: {{date}}
- Owner: {{owner}}
- Service tier: {{tier}}

<!-- Written by \`shipshape design\` from {{specFile}}; running it again updates this file. Write your own notes between the shipshape:keep markers: they are kept. -->

## Context

{{problem}}

The business metric is \`{{metric.name}}\`{{#if metric.description}} ({{metric.description}}){{/if}}: baseline {{metric.baseline}}, target {{metric.target}} ({{metric.direction}}).
{{#if successCriteria}}

Success criteria:

{{successCriteria}}
{{/if}}

SLO: {{slo}}.
{{#if task}}

### The task

{{task.summary}}

{{#if task.modes}}
Its own failure modes, and what the generated service does about them:

{{task.modes}}
{{/if}}
{{/if}}

### Failure modes

{{#if failureModes}}
{{failureModes}}
{{else}}
The spec lists no failure modes.
{{/if}}

## Decision

{{#if decisions}}
{{#each decisions}}
- **{{pattern}}** for {{addresses}}: {{summary}}
{{/each}}
{{else}}
No patterns: the spec lists no failure modes to mitigate.
{{/if}}
{{#if configured}}

Also configured by the spec, with no failure mode claiming them:

{{#each configured}}
- **{{pattern}}** ({{configures}}): {{summary}}
{{/each}}
{{/if}}

\`\`\`mermaid
{{diagram}}
\`\`\`

## Consequences

{{#each tables}}
### {{title}}

{{markdown}}

{{/each}}
### Costs of the patterns

{{#if patternCosts}}
{{patternCosts}}
{{else}}
No patterns, no costs.
{{/if}}

## Alternatives not taken

{{#if alternatives}}
{{alternatives}}
{{else}}
None: every catalog pattern that addresses these failure modes was chosen.
{{/if}}

## Notes

${KEEP_START}
${KEEP_END}
`;

/** The ADR template, compiled (precompiled in the bundles). */
export function compileAdrTemplate(): (view: object) => string {
  return Handlebars.create().compile(ADR_TEMPLATE, ADR_COMPILE_OPTIONS);
}
