import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The dependency direction of DESIGN.md's layout, as lint enforces it on the core. */
const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: file });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

describe('the walls around the core', () => {
  const imports = [
    "import { Command } from '@oclif/core';",
    "import * as Flags from '@oclif/core/flags';",
    "import chalk from 'chalk';",
    "import { Listr } from 'listr2';",
    "import { input } from '@inquirer/prompts';",
    "import { select } from '@inquirer/select';",
    "import { paintFor } from '../ui/paint.js';",
    "import Check from '../commands/check.js';",
    "import { COMMANDS } from '../../commands/index.js';",
    "import { BaseCommand } from '../cli/base-command.js';",
    "export { paintFor } from '../ui/paint.js';",
    "const ui = await import('../ui/paint.js');",
  ];

  for (const line of imports) {
    it(`stop the core from writing: ${line}`, async () => {
      expect(await restricted('src/design/example.ts', `${line}\nexport const x = 1;\n`)).toHaveLength(1);
    });
  }

  it('let the core import the core, and the command and UI layers import anything', async () => {
    expect(await restricted('src/design/example.ts', "import { listOf } from '../text/list.js';\nexport const x = listOf([]);\n")).toEqual(
      [],
    );
    expect(await restricted('src/commands/example.ts', "import * as Flags from '@oclif/core/flags';\nexport const x = Flags;\n")).toEqual(
      [],
    );
    expect(await restricted('src/ui/example.ts', "import chalk from 'chalk';\nexport const x = chalk;\n")).toEqual([]);
  });
});

describe('the two doors to the disk', () => {
  const bypasses = [
    "import { readFileSync } from 'node:fs';",
    "import { readFile } from 'node:fs/promises';",
    "import { createReadStream } from 'fs';",
    "import { writeFile } from 'fs/promises';",
    "import { rename } from 'node:fs/promises';",
    "import fs from 'node:fs';",
    "import * as fs from 'node:fs';",
    "import { promises } from 'node:fs';",
  ];
  for (const line of bypasses) {
    for (const file of ['src/design/example.ts', 'src/commands/example.ts']) {
      it(`stop ${file} from reading or writing around fs/read.ts and fs/atomic.ts: ${line}`, async () => {
        expect(await restricted(file, `${line}\nexport const x = 1;\n`)).toHaveLength(1);
      });
    }
  }

  it('let the doors themselves use node:fs, and everyone else stat and list folders', async () => {
    expect(await restricted('src/fs/read.ts', "import { openSync } from 'node:fs';\nexport const x = openSync;\n")).toEqual([]);
    expect(await restricted('src/fs/atomic.ts', "import { rename } from 'node:fs/promises';\nexport const x = rename;\n")).toEqual([]);
    expect(await restricted('src/design/example.ts', "import { statSync } from 'node:fs';\nexport const x = statSync;\n")).toEqual([]);
  });

  it('still keep the doors inside the core wall', async () => {
    expect(await restricted('src/fs/example.ts', "import chalk from 'chalk';\nexport const x = chalk;\n")).toHaveLength(1);
  });
});
