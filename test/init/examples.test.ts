import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { SCHEMA_LINE } from '../../src/init/build.js';
import { runInit } from '../../src/init/run.js';
import { loadSpecText } from '../../src/spec/load.js';
import { EXAMPLE, ROOT, tempDir } from '../helpers/temp.js';
import { rejection } from '../helpers/errors.js';
import { boundByPermissions } from '../helpers/cli.js';
import { options } from './answers.js';

describe('the bundled task examples', () => {
  for (const [name, kind] of [
    ['support-triage', undefined],
    ['rag-helpdesk', 'rag'],
    ['invoice-extract', 'extract'],
  ] as const) {
    it(`${name} is a valid spec${kind ? ` of task ${kind}` : ' without a task (a classifier)'}`, () => {
      const text = readFileSync(join(ROOT, 'examples', `${name}.yaml`), 'utf8');
      const loaded = loadSpecText(`${name}.yaml`, text);
      expect(loaded.diagnostics).toEqual([]);
      expect(loaded.spec!.task?.kind).toBe(kind);
    });
  }

  it('the rag corpus holds distinct, short Markdown documents', () => {
    const corpus = join(ROOT, 'examples', 'rag-helpdesk', 'corpus');
    const docs = readdirSync(corpus);
    expect(docs.length).toBeGreaterThanOrEqual(6);
    expect(docs.length).toBeLessThanOrEqual(10);
    for (const doc of docs) expect(doc).toMatch(/\.md$/);
  });
});

describe('init --from an example with files beside its spec', () => {
  it('copies the rag corpus beside shipshape.yaml, where task.rag.corpus names it', async () => {
    const dir = tempDir();
    await runInit(options(dir, { from: 'rag-helpdesk' }));
    const text = readFileSync(join(dir, 'shipshape.yaml'), 'utf8');
    expect(text).toBe(`${SCHEMA_LINE}\n${readFileSync(join(ROOT, 'examples', 'rag-helpdesk.yaml'), 'utf8')}`);
    const spec = loadSpecText('shipshape.yaml', text).spec!;
    const corpus = join(dir, spec.task!.rag!.corpus);
    const bundled = join(ROOT, 'examples', 'rag-helpdesk', 'corpus');
    expect(readdirSync(corpus).sort()).toEqual(readdirSync(bundled).sort());
    for (const doc of readdirSync(bundled)) expect(readFileSync(join(corpus, doc), 'utf8')).toBe(readFileSync(join(bundled, doc), 'utf8'));
  });

  it('copies the extract schema where task.extract.schema names it', async () => {
    const dir = tempDir();
    await runInit(options(dir, { from: 'invoice-extract', dir: 'svc' }));
    const spec = loadSpecText('shipshape.yaml', readFileSync(join(dir, 'svc', 'shipshape.yaml'), 'utf8')).spec!;
    const schema = JSON.parse(readFileSync(join(dir, 'svc', spec.task!.extract!.schema), 'utf8'));
    expect(schema.title).toBe('Invoice');
  });

  it('refuses to overwrite a file of the example without --force, and writes nothing', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'corpus'));
    writeFileSync(join(dir, 'corpus', 'refunds.md'), 'my own notes\n');
    const error = await rejection(runInit(options(dir, { from: 'rag-helpdesk' })));
    expect(error.message).toBe(`${join('corpus', 'refunds.md')} already exists`);
    expect(existsSync(join(dir, 'shipshape.yaml'))).toBe(false);
    expect(readdirSync(join(dir, 'corpus'))).toEqual(['refunds.md']);
    expect(readFileSync(join(dir, 'corpus', 'refunds.md'), 'utf8')).toBe('my own notes\n');

    await runInit(options(dir, { from: 'rag-helpdesk', force: true }));
    expect(readFileSync(join(dir, 'corpus', 'refunds.md'), 'utf8')).toMatch(/^# Refunds/);
  });

  it('leaves no spec, corpus or folder behind when it cannot write', async () => {
    // The built CLI bound by the folders' modes, which root (CI) would otherwise ignore.
    const dir = tempDir();
    mkdirSync(join(dir, 'corpus'));
    chmodSync(dir, 0o777);
    chmodSync(join(dir, 'corpus'), 0o555);
    const { command, args } = boundByPermissions(['init', '--from', 'rag-helpdesk']);
    try {
      const result = await execa(command, args, {
        cwd: dir,
        env: { CI: 'true', NO_COLOR: '1', HOME: dir, SHIPSHAPE_CODE_CACHE: '0' },
        reject: false,
        stdin: 'ignore',
      });
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^Error: cannot write .*corpus.*; nothing was changed$/m);
      expect(readdirSync(dir).sort()).toEqual(['corpus']);
      expect(readdirSync(join(dir, 'corpus'))).toEqual([]);
    } finally {
      chmodSync(join(dir, 'corpus'), 0o700);
    }
  });

  it('copies only regular files: a symbolic link in the example folder is never followed', async () => {
    const pkg = tempDir();
    mkdirSync(join(pkg, 'examples', 'linked', 'docs'), { recursive: true });
    copyFileSync(EXAMPLE, join(pkg, 'examples', 'linked.yaml'));
    writeFileSync(join(pkg, 'examples', 'linked', 'docs', 'real.md'), '# Real\n');
    symlinkSync('/etc/hostname', join(pkg, 'examples', 'linked', 'docs', 'outside.md'));
    const dir = tempDir();
    await runInit(options(dir, { from: 'linked', packageRoot: pkg }));
    expect(readdirSync(join(dir, 'docs'))).toEqual(['real.md']);
  });

  it('an example without a folder writes only its spec and schema, as before', async () => {
    const dir = tempDir();
    await runInit(options(dir, { from: 'support-triage' }));
    expect(readdirSync(dir).sort()).toEqual(['.shipshape', 'shipshape.yaml']);
  });
});
