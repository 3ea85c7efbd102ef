/**
 * The default pack makes the service the spec asks for and nothing of another task: rendered in-process for each
 * bundled example (no install), each project has its task's files and none of the others', every relative import of
 * its TypeScript resolves to a file it has, and its Dockerfile copies what its task reads. The projects' own tests
 * passing is test/templates/task-e2e.test.ts's and service-ts-e2e.test.ts's.
 */
import { readFileSync } from 'node:fs';
import { validate } from 'dockerfile-utils';
import { dirname, join, normalize } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPack } from '../../src/scaffold/pack.js';
import { renderContext, renderPack } from '../../src/scaffold/render.js';
import { loadSpecText } from '../../src/spec/load.js';
import { specSchema } from '../../src/spec/schema.js';
import { ROOT } from '../helpers/temp.js';

/** Files only a project of each task has: its module of src/task/, its own code, data and tests. */
const OWN = {
  classify: [
    'src/task/classify.ts',
    'src/serving/local.ts',
    'src/serving/examples.ts',
    'data/examples.jsonl',
    'test/fixtures/examples.jsonl',
    'test/local-tier.test.ts',
    'test/soak.test.ts',
  ],
  rag: [
    'src/task/rag.ts',
    'src/rag/retriever.ts',
    'src/rag/grounding.ts',
    'src/rag/opensearch.ts',
    'test/rag.test.ts',
    'test/opensearch.test.ts',
  ],
  extract: ['src/task/extract.ts', 'src/extract/schema.ts', 'src/extract/patterns.ts', 'test/extract.test.ts'],
} as const;
type Task = keyof typeof OWN;

const EXAMPLES: { example: string; task: Task; reads: string }[] = [
  { example: 'support-triage', task: 'classify', reads: 'data' },
  { example: 'rag-helpdesk', task: 'rag', reads: 'corpus' },
  { example: 'invoice-extract', task: 'extract', reads: 'schemas/invoice.schema.json' },
];

let pack: Awaited<ReturnType<typeof loadPack>>;
beforeAll(async () => {
  const root = join(ROOT, 'templates', 'service-ts');
  pack = await loadPack(root, { kind: 'folder', path: root }, false);
});

async function render(example: string, edit: (text: string) => string = (text) => text): Promise<Map<string, string>> {
  const spec = loadSpecText('shipshape.yaml', edit(readFileSync(join(ROOT, 'examples', `${example}.yaml`), 'utf8'))).spec!;
  const files = await renderPack(pack, renderContext(spec, pack.manifest, '0.0.0', Object.keys(specSchema.shape)));
  return new Map(files.map((file) => [file.path, file.content.toString('utf8')]));
}

/** The sources of the Dockerfile's COPY instructions from the build context, in shell or JSON form. */
function copiedFromContext(dockerfile: string): string[] {
  return [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap(([, args]) => {
    const words = args!.startsWith('[') ? (JSON.parse(args!) as string[]) : args!.split(/\s+/);
    return words.slice(0, -1);
  });
}

/** Every relative import (`from './x.js'`) of the project's TypeScript that names no file of the project. */
function danglingImports(files: Map<string, string>): string[] {
  const dangling: string[] = [];
  for (const [path, text] of files) {
    if (!path.endsWith('.ts')) continue;
    for (const [, target] of text.matchAll(/from '(\.\.?\/[^']+)\.js'/g)) {
      const resolved = normalize(join(dirname(path), `${target!}.ts`));
      if (!files.has(resolved)) dangling.push(`${path} -> ${resolved}`);
    }
  }
  return dangling;
}

describe.each(EXAMPLES)('the default pack on $example (task $task)', ({ example, task, reads }) => {
  let files: Map<string, string>;
  beforeAll(async () => {
    files = await render(example);
  });

  it("makes its task's files and none of another task's", () => {
    for (const path of OWN[task]) expect(files.has(path), path).toBe(true);
    const others = (Object.keys(OWN) as Task[]).filter((other) => other !== task).flatMap((other) => OWN[other]);
    expect(others.filter((path) => files.has(path))).toEqual([]);
    const folders = { classify: ['data/'], rag: ['src/rag/'], extract: ['src/extract/'] };
    const foreign = (Object.keys(folders) as Task[]).filter((other) => other !== task).flatMap((other) => folders[other]);
    expect([...files.keys()].filter((path) => foreign.some((folder) => path.startsWith(folder)))).toEqual([]);
  });

  it('imports only files it has', () => {
    expect(danglingImports(files)).toEqual([]);
  });

  it('copies what its task reads into the image, and no other task’s files; the Dockerfile lints clean', () => {
    const dockerfile = files.get('Dockerfile')!;
    const copied = copiedFromContext(dockerfile);
    expect(copied).toContain(reads);
    for (const other of EXAMPLES.filter((e) => e.task !== task)) expect(copied).not.toContain(other.reads);
    expect(validate(dockerfile).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });
});

it('copies a corpus whose path holds a space as one path', async () => {
  const files = await render('rag-helpdesk', (text) => text.replace('corpus: corpus ', 'corpus: help centre/docs '));
  expect(copiedFromContext(files.get('Dockerfile')!)).toContain('help centre/docs');
  expect(validate(files.get('Dockerfile')!).map((d) => d.message)).toEqual([]);
});
