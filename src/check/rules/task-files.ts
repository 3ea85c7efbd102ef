import type { PathKind, ProjectFiles } from '../project.js';
import { loadJsonSchemaValidator } from '../json-schema-validator.js';
import { defineRule, type Report } from './util.js';

/** How a kind of path reads in a message. */
const WHAT: Record<PathKind['kind'], string> = {
  outside: 'outside the project',
  escapes: 'a symbolic link out of the project',
  missing: 'missing',
  file: 'a file',
  folder: 'a folder',
  other: 'a pipe, device or socket',
};

export const taskFiles = defineRule({
  id: 'task-files',
  description:
    "The files the task names are there: a rag corpus is a folder of documents inside the project, an extract schema is a valid JSON Schema (draft 2020-12 or 07), and an extract service's static fallback is valid against it.",
  defaultSeverity: 'error',
  stage: 3,
  rationale:
    '`generate` builds the retrieval index from the corpus and the serving contract from the schema: a missing or empty corpus makes a rag service that can only say it found nothing, a schema that does not compile makes every output a violation, and a fallback that violates the schema is the one answer the service cannot give. Paths are taken relative to the spec and never followed out of the project, so a spec cannot make shipshape read a folder elsewhere on the machine.',
  hint: 'Point task.rag.corpus at a folder of documents, and task.extract.schema at a JSON Schema file, both beside the spec.',
  examples: {
    pass: `# shipshape.yaml, beside a folder docs/ holding refunds.md and sso.md
task:
  kind: rag
  rag: { corpus: docs }`,
    fail: `# shipshape.yaml, beside an empty folder docs/
task:
  kind: rag
  rag: { corpus: docs }`,
  },
  messages: {
    outside: '{{field}} {{value}} is outside the project; it is not read',
    escapes: '{{field}} {{value}} is a symbolic link out of the project; it is not followed',
    missing: '{{field}} {{value}} does not exist',
    wrongKind: '{{field}} {{value}} is {{what}}, not {{expected}}',
    emptyCorpus:
      'task.rag.corpus {{value}} holds no documents: a rag service with nothing to retrieve can only answer that it found nothing',
    schemaNotJson: 'task.extract.schema {{value}} is not JSON: {{error}}',
    schemaDraft: 'task.extract.schema {{value}} declares $schema {{declared}}: shipshape validates JSON Schema draft 2020-12 and draft-07',
    schemaInvalid: 'task.extract.schema {{value}} is not a valid JSON Schema: {{error}}',
    fallbackInvalid: 'resilience.fallback.static is not valid against {{value}}: {{error}}',
  },
  check({ spec, project }) {
    const task = spec.task;
    if (!task || !project?.kindOf) return [];
    if (task.kind === 'rag' && task.rag) return corpusReports(project, task.rag.corpus);
    if (task.kind === 'extract' && task.extract) return schemaReports(project, task.extract.schema, spec.resilience?.fallback?.static);
    return [];
  },
});

function pathReports(field: string, path: string[], value: string, found: PathKind, expected: 'folder' | 'file'): Report[] {
  const data = { field, value };
  if (found.kind === 'outside' || found.kind === 'escapes' || found.kind === 'missing') return [{ path, messageId: found.kind, data }];
  if (found.kind !== expected) {
    return [{ path, messageId: 'wrongKind', data: { ...data, what: WHAT[found.kind], expected: `a ${expected}` } }];
  }
  return [];
}

function corpusReports(project: ProjectFiles, corpus: string): Report[] {
  const path = ['task', 'rag', 'corpus'];
  const found = project.kindOf!(corpus);
  const reports = pathReports('task.rag.corpus', path, corpus, found, 'folder');
  if (reports.length > 0) return reports;
  if (found.kind === 'folder' && found.files === 0) return [{ path, messageId: 'emptyCorpus', data: { value: corpus } }];
  return [];
}

const DRAFTS = new Map<string, '2020-12' | '07'>([
  ['https://json-schema.org/draft/2020-12/schema', '2020-12'],
  ['http://json-schema.org/draft-07/schema', '07'],
]);

function schemaReports(project: ProjectFiles, schemaFile: string, fallback: Record<string, unknown> | undefined): Report[] {
  const path = ['task', 'extract', 'schema'];
  const reports = pathReports('task.extract.schema', path, schemaFile, project.kindOf!(schemaFile), 'file');
  if (reports.length > 0) return reports;
  const text = project.text(schemaFile);
  if (text === undefined) return [{ path, messageId: 'missing', data: { field: 'task.extract.schema', value: schemaFile } }];
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    return [{ path, messageId: 'schemaNotJson', data: { value: schemaFile, error: (error as Error).message } }];
  }
  const declared = typeof schema === 'object' && schema !== null ? (schema as { $schema?: unknown }).$schema : undefined;
  const draft = declared === undefined ? '2020-12' : DRAFTS.get(String(declared).replace(/#$/, ''));
  if (draft === undefined) {
    return [
      {
        path,
        messageId: 'schemaDraft',
        data: { value: schemaFile, declared: JSON.stringify(declared) },
        hint: 'Declare "$schema": "https://json-schema.org/draft/2020-12/schema" (or draft-07) and use that draft\'s keywords.',
      },
    ];
  }
  const compiled = loadJsonSchemaValidator(draft, schema);
  if ('error' in compiled) return [{ path, messageId: 'schemaInvalid', data: { value: schemaFile, error: compiled.error } }];
  if (fallback === undefined) return [];
  const problem = compiled.validate(fallback);
  return problem === undefined
    ? []
    : [
        {
          path: ['resilience', 'fallback', 'static'],
          messageId: 'fallbackInvalid',
          data: { value: schemaFile, error: problem },
          hint: `Make resilience.fallback.static an object valid against ${schemaFile}: with every field unknown (null) where the schema allows it, for a person to fill in.`,
        },
      ];
}
