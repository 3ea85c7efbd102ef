/**
 * Hostile input and faults through the built CLI (issue 12): pipes, devices and links where files
 * are expected, unwritable folders, a run killed mid-write, output paths that are the spec, and
 * packs that reach for the spec. Every run has a bounded timeout, so a hang fails the test.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, boundByPermissions } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { EXAMPLE, ROOT, tempDir, snapshot } from '../helpers/temp.js';

const example = readFileSync(EXAMPLE, 'utf8');
const stageOne = example.slice(0, example.indexOf('\narchitecture:') + 1);
const MINI = join(ROOT, 'test', 'fixtures', 'packs', 'mini-1.0.0');
const TIMEOUT_MS = 30_000;

/**
 * The built CLI. As a process with a hard timeout where a read may never end (a pipe, a device: a
 * hang there would block a test's own process) or bound by permission bits (root ignores
 * permissions); else in the test's process (test/helpers/in-process.ts).
 */
async function cli(args: readonly string[], cwd: string, options: { asUser?: boolean; process?: boolean } = {}) {
  if (!options.asUser && !options.process) return runInProcess(args, { cwd, env: { HOME: cwd } });
  const { command, args: argv } = options.asUser ? boundByPermissions(args) : { command: process.execPath, args: [BIN, ...args] };
  const result = await execa(command, argv, {
    cwd,
    env: { CI: 'true', NO_COLOR: '1', HOME: cwd },
    extendEnv: true,
    reject: false,
    stdin: 'ignore',
    timeout: TIMEOUT_MS,
    forceKillAfterDelay: 1000,
  });
  expect(result.timedOut, `shipshape ${args.join(' ')} hung`).toBe(false);
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

function project(spec = example): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'shipshape.yaml'), spec);
  return dir;
}

describe('reads that never end', () => {
  it('a named pipe as the spec: every command answers at once, exit 2, one line naming it', { timeout: 4 * TIMEOUT_MS }, async () => {
    const dir = tempDir();
    execFileSync('mkfifo', [join(dir, 'shipshape.yaml')]);
    for (const args of [['check'], ['design', '--yes'], ['generate', '--no-tasks'], ['status']]) {
      const result = await cli(args, dir, { process: true });
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stdout + result.stderr).toMatch(/shipshape\.yaml[\s\S]*named pipe \(FIFO\)/);
    }
  });

  it('a named pipe as the manifest, the policy or the answers file', { timeout: 4 * TIMEOUT_MS }, async () => {
    const dir = project();
    mkdirSync(join(dir, '.shipshape'));
    execFileSync('mkfifo', [join(dir, '.shipshape', 'manifest.json')]);
    const status = await cli(['status'], dir, { process: true });
    expect(status.stdout + status.stderr).toContain('named pipe (FIFO)');
    const generate = await cli(['generate', '--template', MINI, '--no-tasks'], dir, { process: true });
    expect(generate.exitCode).toBe(2);
    expect(generate.stderr).toContain('cannot read .shipshape/manifest.json: it is a named pipe (FIFO), not a regular file');

    execFileSync('mkfifo', [join(dir, 'policy.yaml')]);
    const check = await cli(['check', '--policy', 'policy.yaml'], dir, { process: true });
    expect(check.exitCode).toBe(2);
    expect(check.stderr).toContain('named pipe (FIFO)');

    const init = await cli(['init', '--answers', 'policy.yaml', '--dir', 'new', '--yes'], dir, { process: true });
    expect(init.exitCode).toBe(2);
    expect(init.stderr).toContain('named pipe (FIFO)');
  });

  it(
    "check services/: a link to /dev/zero is that file's problem; the other specs are still checked, in every format",
    { timeout: 6 * TIMEOUT_MS },
    async () => {
      const dir = tempDir();
      mkdirSync(join(dir, 'services', 'good'), { recursive: true });
      mkdirSync(join(dir, 'services', 'evil'), { recursive: true });
      writeFileSync(join(dir, 'services', 'good', 'shipshape.yaml'), example);
      symlinkSync('/dev/zero', join(dir, 'services', 'evil', 'shipshape.yaml'));
      const stylish = await cli(['check', 'services'], dir, { process: true });
      expect(stylish.exitCode).toBe(2);
      expect(stylish.stdout).toContain('services/evil/shipshape.yaml');
      expect(stylish.stdout).toContain('cannot be read: it is a device (a symbolic link to /dev/zero), not a regular file');
      const json = await cli(['check', 'services', '--format', 'json'], dir);
      const report = JSON.parse(json.stdout) as { summary: { files: number; unreadable: number } };
      expect(report.summary).toMatchObject({ files: 2, unreadable: 1 });
      for (const format of ['sarif', 'junit', 'github']) {
        const result = await cli(['check', 'services', '--format', format], dir);
        expect(result.exitCode).toBe(2);
        expect(result.stdout).toContain('/dev/zero');
      }
    },
  );

  it('an oversized answers file is called an answers file', { timeout: TIMEOUT_MS }, async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'answers.yaml'), `name: x\n${'#'.repeat(2 * 1024 * 1024)}\n`);
    const result = await cli(['init', '--answers', 'answers.yaml', '--yes'], dir);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('an answers file may be at most 1 MiB');
  });
});

describe('writes that replace what they must not', () => {
  it('check -o and schema --out never replace the spec, forced or not', { timeout: 4 * TIMEOUT_MS }, async () => {
    const dir = project();
    const before = snapshot(dir);
    for (const args of [
      ['check', '-o', 'shipshape.yaml'],
      ['check', '-o', 'shipshape.yaml', '--force'],
      ['schema', '--out', 'shipshape.yaml'],
      ['schema', '--out', './shipshape.yaml', '--force'],
    ]) {
      const result = await cli(args, dir);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr.split('\n')[0]).toMatch(/^Error: refusing to write the .* to \.?\/?shipshape\.yaml: it is/);
    }
    expect(snapshot(dir)).toEqual(before);
  });

  it(
    "validate --junit refuses the spec before it runs anything; schema may refresh init's copy in .shipshape/",
    { timeout: 3 * TIMEOUT_MS },
    async () => {
      const dir = project();
      const before = snapshot(dir);
      const validate = await cli(['validate', '--junit', 'shipshape.yaml', '--force'], dir);
      expect(validate.exitCode).toBe(2);
      expect(validate.stderr).toContain('refusing to write the JUnit report to shipshape.yaml: it is named like a spec');
      expect(snapshot(dir)).toEqual(before);
      mkdirSync(join(dir, '.shipshape'));
      expect((await cli(['schema', '--out', '.shipshape/shipshape.schema.json'], dir)).exitCode).toBe(2);
      writeFileSync(join(dir, '.shipshape', 'shipshape.schema.json'), (await cli(['schema'], dir)).stdout);
      expect((await cli(['schema', '--out', '.shipshape/shipshape.schema.json'], dir)).exitCode).toBe(0);
    },
  );

  it('check -o: an unknown file needs --force, a previous report does not, .shipshape/ never', { timeout: 4 * TIMEOUT_MS }, async () => {
    const dir = project();
    writeFileSync(join(dir, 'notes.txt'), 'my notes\n');
    const refused = await cli(['check', '-o', 'notes.txt'], dir);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('refusing to write the check report to notes.txt: it exists and is not a previous check report');
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('my notes\n');
    expect((await cli(['check', '-o', 'notes.txt', '--force'], dir)).exitCode).toBe(0);
    expect((await cli(['check', '-o', 'notes.txt', '-f', 'sarif'], dir)).exitCode).toBe(0);
    mkdirSync(join(dir, '.shipshape'));
    expect((await cli(['check', '-o', '.shipshape/report.json', '--force'], dir)).exitCode).toBe(2);
  });

  it('a file generate manages is never a report target', { timeout: 3 * TIMEOUT_MS }, async () => {
    const dir = project();
    expect((await cli(['generate', '--template', MINI, '--no-tasks'], dir)).exitCode).toBe(0);
    const before = snapshot(dir);
    const result = await cli(['check', '-o', 'src/index.ts', '--force'], dir);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('it is a file generate manages (listed in .shipshape/manifest.json)');
    expect(snapshot(dir)).toEqual(before);
  });

  it('a pack that ships shipshape.yaml or a files/ that is a link is refused, forced or not', { timeout: 3 * TIMEOUT_MS }, async () => {
    const dir = project();
    const pack = join(tempDir(), 'pack');
    cpSync(MINI, pack, { recursive: true });
    writeFileSync(join(pack, 'files', 'shipshape.yaml'), 'kind: not-yours\n');
    const before = snapshot(dir);
    const spec = await cli(['generate', '--template', pack, '--force', '--no-tasks'], dir);
    expect(spec.exitCode).toBe(2);
    expect(spec.stderr).toContain('renders to the path "shipshape.yaml", which is the spec');
    expect(snapshot(dir)).toEqual(before);

    const linked = join(tempDir(), 'linked');
    mkdirSync(linked);
    cpSync(join(MINI, 'template.yaml'), join(linked, 'template.yaml'));
    const outside = tempDir();
    writeFileSync(join(outside, 'secret.txt'), 'outside the pack\n');
    symlinkSync(outside, join(linked, 'files'));
    const link = await cli(['generate', '--template', linked, '--force', '--no-tasks'], dir);
    expect(link.exitCode).toBe(2);
    expect(link.stderr).toContain('files/ is a symbolic link');
    expect(snapshot(dir)).toEqual(before);
  });

  it('design with docs/ not writable changes nothing, exit 2, one line', { timeout: 2 * TIMEOUT_MS }, async () => {
    const dir = project(stageOne);
    mkdirSync(join(dir, 'docs'));
    chmodSync(dir, 0o777);
    chmodSync(join(dir, 'shipshape.yaml'), 0o666);
    chmodSync(join(dir, 'docs'), 0o555);
    const before = snapshot(dir);
    const result = await cli(['design', '--yes'], dir, { asUser: true });
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/^Error: cannot (write|mkdir|read or write) .*docs.*permission denied/);
    expect(result.stderr).not.toContain('bug');
    expect(snapshot(dir)).toEqual(before);
  });

  it('after kill -9 mid-write: status names the leftover temps, the next generate removes them', { timeout: 4 * TIMEOUT_MS }, async () => {
    const dir = project();
    expect((await cli(['generate', '--template', MINI, '--no-tasks'], dir)).exitCode).toBe(0);
    // What a generate killed between its temp writes and its renames leaves: temps of a dead process.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(dir, 'src', `.index.ts.${dead}.0badf00d.tmp`), 'half written');
    writeFileSync(join(dir, `.README.md.${dead}.0badf00e.tmp`), 'half written');
    const status = await cli(['status'], dir);
    expect(status.stdout).toMatch(/2 temp files left by an interrupted write/);
    expect((await cli(['generate', '--template', MINI, '--no-tasks'], dir)).exitCode).toBe(0);
    expect(existsSync(join(dir, 'src', `.index.ts.${dead}.0badf00d.tmp`))).toBe(false);
    expect(existsSync(join(dir, `.README.md.${dead}.0badf00e.tmp`))).toBe(false);
    expect((await cli(['status'], dir)).stdout).not.toContain('temp file');
  });

  it(
    'a real kill -9 during generate leaves the project as before or as after, never a spec half-written',
    { timeout: 4 * TIMEOUT_MS },
    async () => {
      const dir = project();
      const spec = readFileSync(join(dir, 'shipshape.yaml'), 'utf8');
      const child = execa(process.execPath, [BIN, 'generate', '--template', MINI, '--no-tasks'], {
        cwd: dir,
        reject: false,
        env: { CI: 'true' },
      });
      await new Promise((resolve) => setTimeout(resolve, 150));
      child.kill('SIGKILL');
      await child;
      expect(readFileSync(join(dir, 'shipshape.yaml'), 'utf8')).toBe(spec);
      const again = await cli(['generate', '--template', MINI, '--no-tasks'], dir);
      expect(again.exitCode).toBe(0);
      const left = Object.keys(snapshot(dir)).filter((file) => file.endsWith('.tmp'));
      expect(left).toEqual([]);
    },
  );

  it('the generated .gitignore ignores the temp files', () => {
    expect(readFileSync(join(ROOT, 'templates', 'service-ts', 'files', '.gitignore'), 'utf8')).toContain('.*.tmp');
  });
});
