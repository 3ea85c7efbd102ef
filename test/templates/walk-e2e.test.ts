/**
 * Stages 1 to 4 as a new user walks them, for every model layout `init` offers: init, design,
 * check, generate, and the generated project's own `npm test`, failure scenarios included. Each
 * spec lists every failure-mode kind, so every scenario design writes is run by the service it
 * generates. Whatever init and design write, check passes and the service's tests pass.
 *
 * Reaches the npm registry like service-ts-e2e.test.ts: every project installs through the
 * machine's one npm cache (projectEnv), so the second and third installs are served from it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { FAILURE_MODE_KINDS } from '../../src/spec/schema.js';
import { runCli } from '../helpers/cli.js';
import { projectEnv } from '../helpers/project.js';
import { tempDir } from '../helpers/temp.js';

const LAYOUTS = ['tiered', 'single', 'none'] as const;

describe.each(LAYOUTS)('init --models %s, every failure-mode kind, to a service that passes its own tests', (layout) => {
  it('init, design --yes, check, generate, npm test: each exits 0', async () => {
    const dir = tempDir();
    const cli = async (args: string[]) => {
      const result = await runCli(args, { cwd: dir, env: projectEnv() as Record<string, string> });
      expect(result.exitCode, `shipshape ${args.join(' ')}\n${result.stderr}${result.stdout}`).toBe(0);
      return result;
    };
    await cli([
      'init',
      '--yes',
      '--models',
      layout,
      '--name',
      `walk-${layout}`,
      '--owner',
      'alice',
      '--problem',
      'Route incoming support tickets to the right queue.',
      '--failure-modes',
      FAILURE_MODE_KINDS.join(','),
    ]);
    const design = await cli(['design', '--yes']);
    if (layout === 'none') expect(design.stdout + design.stderr).toContain('models was not set');
    await cli(['check']);

    const spec = readFileSync(join(dir, 'shipshape.yaml'), 'utf8');
    // The fallback has an answer (a static one wherever no lower tier can give one).
    if (layout !== 'tiered') expect(spec).toMatch(/static:\s+label: needs-review/);
    const adr = readFileSync(join(dir, 'docs/adr/0001-architecture.md'), 'utf8');
    expect(adr).not.toMatch(/counted as none/);

    await cli(['generate']);
    const tests = await execa('npm', ['test'], { cwd: dir, env: projectEnv(), extendEnv: true, reject: false, all: true });
    expect(tests.exitCode, String(tests.all)).toBe(0);
    // Every scenario design wrote ran: one per failure mode a scenario can prove.
    for (const id of ['upstream-failure', 'latency-spike', 'bad-output', 'traffic-surge']) expect(String(tests.all)).toContain(id);
  }, 900_000);
});
