import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';

const example = readFileSync(EXAMPLE, 'utf8');
/** The reference example without its later sections: a project at stage 1. */
const stageOne = example.slice(0, example.indexOf('\narchitecture:') + 1);

function project(text = stageOne): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'shipshape.yaml'), text);
  return dir;
}

/** Every file under a folder, relative to it: what a command left behind. */
const tree = (dir: string): string[] => (readdirSync(dir, { recursive: true }) as string[]).sort();

interface StatusJson {
  root: string;
  spec: string | null;
  specHash: string | null;
  done: number;
  stages: {
    number: number;
    state: string;
    command: string;
    available: boolean;
    evidence: { file?: string; ok: boolean; detail: string }[];
  }[];
  next: { stage: number; command: string; line: string; available: boolean; manual: boolean } | null;
}

describe('shipshape status (the built CLI)', () => {
  it('prints the table on stdout and exits 0, with nothing on stderr', async () => {
    const dir = project();
    const result = await runCli(['status'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`shipshape status ${join(dir, 'shipshape.yaml')}`);
    expect(result.stdout).toMatch(
      /\n {2}1 {2}Requirements {2,}✔ done {2,}init {2,}shipshape\.yaml exists; shipshape\.yaml passes the check at stage 1\n/,
    );
    expect(result.stdout).toMatch(
      /\n {2}2 {2}Architecture {2,}○ not started {2}design {2,}no architecture\.patterns in shipshape\.yaml \(\+2 more\)\n/,
    );
    expect(result.stdout).toMatch(/\n {2}3 {2}Modular components {2,}○ not started {2}generate {2,}no \.shipshape\/manifest\.json\n/);
    // Every stage's command exists: nothing is announced as coming.
    expect(result.stdout).not.toContain('Coming in a later release');
    // execa strips the final newline of each stream.
    expect(result.stdout.endsWith('\n1 of 8 stages done.\nNext: shipshape design')).toBe(true);
    // NO_COLOR, and no terminal: no escape codes.
    // eslint-disable-next-line no-control-regex
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });

  it('--json prints only the status object', async () => {
    const dir = project();
    const result = await runInProcess(['status', '--json'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trimStart().startsWith('{')).toBe(true);
    const status = JSON.parse(result.stdout) as StatusJson;
    expect(status.root).toBe(dir);
    expect(status.spec).toBe('shipshape.yaml');
    expect(status.specHash).toBe(createHash('sha256').update(stageOne).digest('hex'));
    expect(status.done).toBe(1);
    expect(status.stages.map((s) => s.state)).toEqual(['done', ...Array(7).fill('not-started')]);
    expect(status.stages.map((s) => s.available)).toEqual([true, true, true, true, true, true, true, true]);
    expect(status.stages[2]!.evidence).toEqual([
      { what: 'manifest', file: '.shipshape/manifest.json', ok: false, detail: 'no .shipshape/manifest.json' },
    ]);
    expect(status.next).toEqual({
      stage: 2,
      title: 'Architecture',
      command: 'design',
      args: [],
      line: 'shipshape design',
      available: true,
      manual: false,
    });
  });

  it('--require-stage 2 exits 1 on a stage-1 project naming the stage, and 0 once design has run', async () => {
    const dir = project();
    const before = await runInProcess(['status', '--require-stage', '2'], { cwd: dir });
    expect(before.exitCode).toBe(1);
    expect(before.stderr).toBe('Stage 2 required, but stage 2 (Architecture) is not started: no architecture.patterns in shipshape.yaml.');
    expect(before.stdout).toContain('Next: shipshape design');

    const one = await runInProcess(['status', '--require-stage', '1'], { cwd: dir });
    expect(one.exitCode).toBe(0);
    expect(one.stderr).toBe('');

    const design = await runInProcess(['design', '--yes'], { cwd: dir });
    expect(design.exitCode).toBe(0);

    const after = await runInProcess(['status', '--require-stage', '2'], { cwd: dir });
    expect(after.stderr).toBe('');
    expect(after.exitCode).toBe(0);
    expect(after.stdout).toMatch(
      /\n {2}2 {2}Architecture {2,}✔ done {2,}design {2,}\d+ patterns in architecture\.patterns; docs\/adr\/0001-architecture\.md exists; no errors at stage 2\n/,
    );
    expect(after.stdout.endsWith('\n2 of 8 stages done.\nNext: shipshape generate')).toBe(true);

    const three = await runInProcess(['status', '--require-stage', '3', '--json'], { cwd: dir });
    expect(three.exitCode).toBe(1);
    expect((JSON.parse(three.stdout) as StatusJson).done).toBe(2);
    expect(three.stderr).toBe('Stage 3 required, but stage 3 (Modular components) is not started: no .shipshape/manifest.json.');
  });

  it('--require-stage 2 on a project from `init --from`: its architecture lacks the ADR until design writes it', async () => {
    const dir = tempDir();
    expect((await runInProcess(['init', '--from', 'support-triage'], { cwd: dir })).exitCode).toBe(0);
    const before = await runInProcess(['status', '--require-stage', '2'], { cwd: dir });
    expect(before.exitCode).toBe(1);
    expect(before.stderr).toBe('Stage 2 required, but stage 2 (Architecture) is in progress: no docs/adr/0001-architecture.md.');
    expect(before.stdout).toMatch(/\n {2}2 {2}Architecture {2,}◐ in progress {2}design {2,}no docs\/adr\/0001-architecture\.md\n/);

    expect((await runInProcess(['design', '--yes'], { cwd: dir })).exitCode).toBe(0);
    const after = await runInProcess(['status', '--require-stage', '2'], { cwd: dir });
    expect(after.exitCode).toBe(0);
    expect(after.stderr).toBe('');
  });

  it('takes the required stage from SHIPSHAPE_REQUIRE_STAGE, and refuses a stage out of range with exit 2', async () => {
    const dir = project();
    const fromEnv = await runInProcess(['status'], { cwd: dir, env: { SHIPSHAPE_REQUIRE_STAGE: '2' } });
    expect(fromEnv.exitCode).toBe(1);
    expect(fromEnv.stderr).toMatch(/^Stage 2 required, but stage 2 \(Architecture\) is not started/);

    const nine = await runInProcess(['status', '--require-stage', '9'], { cwd: dir });
    expect(nine.exitCode).toBe(2);
    expect(nine.stderr).toMatch(/^Error: --require-stage expects an integer less than or equal to 8, not 9\n/);
    expect(nine.stdout).toBe('');
  });

  it('works from a subfolder, and from elsewhere with --dir', async () => {
    const dir = project();
    const deep = join(dir, 'services', 'triage');
    mkdirSync(deep, { recursive: true });
    const fromSub = await runInProcess(['status'], { cwd: deep });
    expect(fromSub.exitCode).toBe(0);
    expect(fromSub.stdout.split('\n')[0]).toBe(`shipshape status ${join(dir, 'shipshape.yaml')}`);
    expect(fromSub.stdout).toContain('\n1 of 8 stages done.\n');

    const elsewhere = tempDir();
    const withDir = await runInProcess(['status', '--dir', `../${basename(dir)}/services`, '--json'], { cwd: elsewhere });
    expect(withDir.exitCode).toBe(0);
    expect((JSON.parse(withDir.stdout) as StatusJson).root).toBe(dir);

    const missing = await runInProcess(['status', '--dir', 'nope'], { cwd: elsewhere });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/^Error: no such folder: nope\nTry this: Pass --dir a folder of the project/);
    expect(missing.stdout).toBe('');
  });

  it('without a spec: exits 0 and points at init', async () => {
    const dir = tempDir();
    const result = await runInProcess(['status'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`shipshape status ${dir}: no spec yet`);
    expect(result.stdout).toContain(`no shipshape.yaml in ${dir} or any folder above it`);
    expect(result.stdout.endsWith('\n0 of 8 stages done.\nNext: shipshape init')).toBe(true);
  });
});

describe('shipshape walk (the built CLI)', () => {
  it('exits 2 with CI=true, naming the reason, and writes nothing', async () => {
    const dir = project();
    const before = tree(dir);
    const result = await runInProcess(['walk'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^Error: walk asks before each step and needs a terminal to ask on \(CI is set\)\n/);
    expect(result.stderr).toMatch(/\nTry this: Run `shipshape status` to see where the project stands/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
    expect(tree(dir)).toEqual(before);
    expect(readFileSync(join(dir, 'shipshape.yaml'), 'utf8')).toBe(stageOne);
  });

  it('exits 2 without a terminal even when CI is not set, and writes nothing', async () => {
    const dir = project();
    const before = tree(dir);
    const result = await runCli(['walk'], { cwd: dir, env: { CI: '' } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^Error: walk asks before each step and needs a terminal to ask on \(standard input is not a terminal\)\n/,
    );
    expect(result.stdout).toBe('');
    expect(tree(dir)).toEqual(before);
  });
});
