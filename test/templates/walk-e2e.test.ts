/**
 * Stages 1 to 4 as a new user walks them, for every model layout `init` offers: init, design, check, generate (with
 * its npm install), and the generated project's own tests that read its spec, failure scenarios included. Each spec
 * lists every failure-mode kind, so every scenario design writes is run by the service it generates. Whatever init and
 * design write, check passes and the service's tests pass.
 *
 * What differs between the layouts is the spec, and in the generated project only src/config/spec.ts: the test shows
 * it against the reference example's project (the one service-ts-e2e.test.ts runs the whole `npm test` of, shared
 * through sharedOriginal), and then runs the test files that read the project's spec (specTests: the scenarios, the
 * soak, the configuration, /version). The other test files are the reference's byte for byte and read the reference's
 * numbers whatever the spec, so running them again here would prove nothing new. The dependencies are the reference's
 * too (shown): they are linked in before generate, whose `npm install` then has nothing to fetch.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { FAILURE_MODE_KINDS } from '../../src/spec/schema.js';
import { runCli } from '../helpers/cli.js';
import { dependencies, differingFiles, linkDependencies, projectEnv, sharedOriginal, specTests } from '../helpers/project.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';

const LAYOUTS = ['tiered', 'single', 'none'] as const;

describe.each(LAYOUTS)('init --models %s, every failure-mode kind, to a service that passes its own tests', (layout) => {
  it('init, design --yes, check, generate, the tests that read the spec: each exits 0', async () => {
    const reference = await sharedOriginal(EXAMPLE);
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

    await linkDependencies(reference, dir);
    await cli(['generate']);
    expect(dependencies(dir)).toEqual(dependencies(reference));
    expect(differingFiles(reference, dir, ['src', 'test'])).toEqual(['src/config/spec.ts']);

    const files = specTests(dir);
    expect(files).toContain('test/scenarios.test.ts');
    const tests = await execa('npx', ['vitest', 'run', ...files], {
      cwd: dir,
      env: projectEnv(),
      extendEnv: true,
      reject: false,
      all: true,
    });
    expect(tests.exitCode, String(tests.all)).toBe(0);
    // Every scenario design wrote ran: one per failure mode a scenario can prove.
    for (const id of ['upstream-failure', 'latency-spike', 'bad-output', 'traffic-surge']) expect(String(tests.all)).toContain(id);
  }, 900_000);
});
