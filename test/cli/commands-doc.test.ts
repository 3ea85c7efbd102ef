import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
// @ts-expect-error: a plain-JS build script, without types
import { renderCommandsDoc } from '../../scripts/commands-doc.js';
import { ROOT } from '../helpers/temp.js';

it("docs/commands.md is every command's help as it is (run `npm run docs` when this fails)", async () => {
  const committed = readFileSync(join(ROOT, 'docs', 'commands.md'), 'utf8');
  const rendered = (await renderCommandsDoc(ROOT)) as string;
  expect(committed).toBe(rendered);
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> };
  for (const id of Object.keys(manifest.commands)) expect(committed).toContain(`## shipshape ${id.replaceAll(':', ' ')}\n`);
});
