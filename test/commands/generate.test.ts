import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { fakeNpm } from '../helpers/npm.js';
import { ROOT, tempDir, exampleProject } from '../helpers/temp.js';

const MINI_1 = join(ROOT, 'test', 'fixtures', 'packs', 'mini-1.0.0');
const MINI_2 = join(ROOT, 'test', 'fixtures', 'packs', 'mini-2.0.0');

const project = exampleProject;

describe('shipshape generate (the built CLI)', () => {
  it('--dry-run prints one line per file and the diffs, and writes nothing', async () => {
    const dir = project();
    const result = await runCli(['generate', '--template', MINI_1, '--dry-run'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^create {5}\.editorconfig\ncreate {5}README\.md\n/);
    expect(result.stdout).toContain('create     src/support-triage.ts\n');
    expect(result.stdout).toContain('--- a/src/index.ts\n+++ b/src/index.ts\n@@ -0,0 +1,3 @@\n');
    expect(result.stdout).toMatch(/\nmini 1\.0\.0: 9 to create$/);
    expect(result.stderr).toContain('Dry run: nothing was written.');
    expect(readdirSync(dir)).toEqual(['shipshape.yaml']);
  });

  it('writes the project; a conflict exits 1 after writing the rest; --upgrade merges; --json parses', async () => {
    const dir = project();
    const first = await runInProcess(['generate', '-t', MINI_1], { cwd: dir });
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toMatch(/\nmini 1\.0\.0: 9 created$/);
    expect(first.stdout).not.toContain('--- a/');
    expect(existsSync(join(dir, '.shipshape', 'manifest.json'))).toBe(true);

    const edited = `${readFileSync(join(dir, 'src', 'index.ts'), 'utf8')}// edited\n`;
    writeFileSync(join(dir, 'src', 'index.ts'), edited);
    const conflict = await runInProcess(['generate', '--upgrade', '-t', MINI_2], { cwd: dir });
    expect(conflict.exitCode).toBe(1);
    expect(conflict.stdout).toContain('conflict   src/index.ts  (edited by hand since it was generated; --force overwrites it)\n');
    expect(conflict.stdout).toContain('create     src/health.ts\n');
    expect(conflict.stdout).toContain('orphaned   docs/notes.md  (the pack no longer makes it; left in place)\n');
    expect(conflict.stderr).toContain('The other changes were written, but 1 file is in conflict.');
    expect(conflict.stderr).not.toContain('nothing was written');
    expect(readFileSync(join(dir, 'src', 'index.ts'), 'utf8')).toBe(edited);

    // Again: the conflict is all there is, and the one summary says nothing was written.
    const again = await runInProcess(['generate', '-t', MINI_2], { cwd: dir });
    expect(again.exitCode).toBe(1);
    expect(again.stderr.match(/written/g)).toHaveLength(1);
    expect(again.stderr).toContain('Nothing was written: 1 file is in conflict. Resolve it');
    expect(again.stderr).not.toContain('Everything was already up to date');

    const json = await runInProcess(['generate', '--force', '--json'], { cwd: dir });
    expect(json.exitCode).toBe(0);
    const report = JSON.parse(json.stdout) as {
      files: { path: string; action: string; reason?: string }[];
      summary: Record<string, number>;
      pack: { version: string };
    };
    expect(report.pack.version).toBe('2.0.0');
    expect(report.files.find((file) => file.path === 'src/index.ts')).toMatchObject({
      action: 'update',
      reason: 'edited by hand; overwritten (--force)',
    });
    expect(report.summary).toEqual({ create: 0, update: 1, merge: 0, conflict: 0, unchanged: 7, skip: 1 });
  });

  it('bad input exits 2 with one line and a hint: an unknown --conflict, a missing pack, a missing field', async () => {
    const dir = project();
    const badFlag = await runInProcess(['generate', '-t', MINI_1, '--conflict', 'theirs'], { cwd: dir });
    expect(badFlag.exitCode).toBe(2);

    const missing = await runInProcess(['generate', '--template', 'no-such-pack'], { cwd: dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/^Error: no bundled pack named no-such-pack: /);
    expect(missing.stderr).toContain('Try this: Pass --template ./path/to/pack');

    const pack = tempDir();
    writeFileSync(join(pack, 'template.yaml'), 'name: bad\nversion: 1.0.0\ndescription: d\n');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(pack, 'files'));
    writeFileSync(join(pack, 'files', 'a.ts.hbs'), 'export const a = "{{spec.metadata.nmae}}";\n');
    const field = await runInProcess(['generate', '--template', pack, '--json'], { cwd: dir });
    expect(field.exitCode).toBe(2);
    expect(field.stderr).toMatch(/^Error: .*files\/a\.ts\.hbs:1:21 spec\.metadata\.nmae is not defined\n/);
    expect(JSON.parse(field.stdout)).toMatchObject({ error: { message: expect.stringContaining('spec.metadata.nmae is not defined') } });
    expect(readdirSync(dir)).toEqual(['shipshape.yaml']);
  });
});

describe('shipshape generate: a task with inputs on a re-generate (the built CLI)', () => {
  it('skips the install when package.json and the lockfile are unchanged and node_modules is there', async () => {
    const pack = tempDir();
    cpSync(MINI_1, pack, { recursive: true });
    // A stand-in for npm install: counts its runs, leaves node_modules and a lockfile.
    const install =
      "const fs=require('fs');fs.appendFileSync('installs','x');fs.mkdirSync('node_modules',{recursive:true});fs.writeFileSync('package-lock.json','{}')";
    writeFileSync(
      join(pack, 'template.yaml'),
      `${readFileSync(join(pack, 'template.yaml'), 'utf8')}tasks:\n  - name: install dependencies\n    run: [node, -e, ${JSON.stringify(install)}]\n    inputs: [package.json, package-lock.json]\n    outputs: [node_modules]\n`,
    );
    writeFileSync(join(pack, 'files', 'package.json'), '{ "name": "x" }\n');
    const dir = project();
    const first = await runInProcess(['generate', '-t', pack, '--trust'], { cwd: dir });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/task +install dependencies .* ran in \d+(\.\d)? s\n/);

    const again = await runInProcess(['generate', '--trust'], { cwd: dir });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      /task +install dependencies .* skipped {2}\(package\.json and package-lock\.json unchanged since it last ran, node_modules there\)\n/,
    );
    expect(readFileSync(join(dir, 'installs'), 'utf8')).toBe('x');

    writeFileSync(join(dir, 'package-lock.json'), '{ "changed": true }\n');
    const changed = await runInProcess(['generate', '--trust'], { cwd: dir });
    expect(changed.stdout).toMatch(/task +install dependencies .* ran in \d+(\.\d)? s\n/);
    expect(readFileSync(join(dir, 'installs'), 'utf8')).toBe('xx');
  });
});

describe('shipshape generate --template npm:<spec> (the built CLI, offline)', () => {
  it('installs a pack packed with npm pack, runs its tasks only with --trust, and records the npm source', async () => {
    const { cpSync } = await import('node:fs');
    const { npmEnv, packTarball } = await import('../helpers/npm.js');
    const env = npmEnv();
    // The mini pack as an npm package with one task that leaves a file behind when it runs.
    const pkg = tempDir();
    cpSync(MINI_1, pkg, { recursive: true });
    const manifest = readFileSync(join(pkg, 'template.yaml'), 'utf8');
    writeFileSync(
      join(pkg, 'template.yaml'),
      `${manifest}tasks:\n  - { name: mark, run: [node, -e, "require('fs').writeFileSync('task-ran', 'yes')"] }\n`,
    );
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@acme/mini-pack', version: '1.0.0' }));
    const tarball = await packTarball(pkg, env);

    const untrusted = project();
    const first = await runInProcess(['generate', '-t', `npm:${tarball}`, '--json'], { cwd: untrusted, env });
    expect(first.exitCode).toBe(0);
    const report = JSON.parse(first.stdout) as { pack: { name: string; version: string }; tasks: { name: string; status: string }[] };
    expect(report.pack).toMatchObject({ name: 'mini', version: '1.0.0' });
    expect(report.tasks).toEqual([expect.objectContaining({ name: 'mark', status: 'skipped' })]);
    expect(existsSync(join(untrusted, 'task-ran'))).toBe(false);
    const recorded = JSON.parse(readFileSync(join(untrusted, '.shipshape', 'manifest.json'), 'utf8')) as { pack: { source: unknown } };
    expect(recorded.pack.source).toMatchObject({ kind: 'npm' });

    const trusted = project();
    const second = await runInProcess(['generate', '-t', `npm:${tarball}`, '--trust'], { cwd: trusted, env });
    expect(second.exitCode).toBe(0);
    expect(readFileSync(join(trusted, 'task-ran'), 'utf8')).toBe('yes');
  });
});

describe('shipshape generate, interrupted during its install task (as a process)', () => {
  it('says what was written and which task did not finish; status keeps stage 3 in progress, naming it', async () => {
    const dir = project();
    // An npm that says it is ready, then waits for Ctrl-C, as a long install does.
    const fake = fakeNpm(`trap 'exit 130' INT\necho ready\nwhile true; do sleep 0.05; done`);
    const env = { ...process.env, CI: 'true', NO_COLOR: '1', PATH: `${fake.bin}:${process.env['PATH'] ?? ''}` };
    const child = execa(process.execPath, [BIN, 'generate'], { cwd: dir, env, reject: false, stdin: 'ignore' });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) child.kill('SIGINT');
    });
    const result = await child;

    const stderr = String(result.stderr);
    // 130 either way: the exit code, or the interrupt itself once the CLI has said what it left (a shell shows both as 130).
    expect(result.exitCode ?? (result.signal === 'SIGINT' ? 130 : result.signal), stderr).toBe(130);
    expect(stderr).toMatch(
      /Interrupted: wrote \d+ files and \.shipshape\/manifest\.json, but the task "install dependencies" \(npm install --no-audit --no-fund\) did not finish\./,
    );
    expect(stderr).not.toContain('nothing was written');
    expect(existsSync(join(dir, 'package.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, '.shipshape', 'tasks.json'), 'utf8'))).toMatchObject({
      tasks: [{ name: 'install dependencies', status: 'interrupted' }],
    });

    const status = await runCli(['status', '--json'], { cwd: dir });
    const stage3 = (
      JSON.parse(status.stdout) as { stages: { number: number; state: string; evidence: { detail: string }[] }[] }
    ).stages.find((stage) => stage.number === 3)!;
    expect(stage3.state).toBe('in-progress');
    expect(stage3.evidence.map((item) => item.detail)).toContain(
      'the task "install dependencies" (npm install --no-audit --no-fund) was interrupted: run shipshape generate again',
    );
  }, 60_000);
});
