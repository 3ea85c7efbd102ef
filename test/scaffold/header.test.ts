import { describe, expect, it } from 'vitest';
import { hasHeader, headerLine, withHeader } from '../../src/scaffold/header.js';

const TEXT = 'Managed by shipshape (pack p): `shipshape generate` rewrites this file. To take it over, delete this line.';

describe('managed file headers', () => {
  it.each([
    ['src/a.ts', `// ${TEXT}`],
    ['lib/a.mjs', `// ${TEXT}`],
    ['config/a.yaml', `# ${TEXT}`],
    ['a.yml', `# ${TEXT}`],
    ['bin/run.sh', `# ${TEXT}`],
    ['app/main.py', `# ${TEXT}`],
    ['Dockerfile', `# ${TEXT}`],
    ['docs/README.md', `<!-- ${TEXT} -->`],
    ['public/index.html', `<!-- ${TEXT} -->`],
  ])('%s: %s', (path, line) => {
    expect(headerLine(path, 'p')).toBe(line);
  });

  it.each(['package.json', 'tsconfig.json', 'data.csv', 'LICENSE', 'image.png'])('%s takes no header', (path) => {
    expect(headerLine(path, 'p')).toBe(undefined);
    expect(withHeader('{}\n', path, 'p')).toBe('{}\n');
  });

  it('goes first, or after the lines that must stay first: a shebang, Dockerfile directives, Markdown front matter', () => {
    expect(withHeader('export {};\n', 'a.ts', 'p')).toBe(`// ${TEXT}\nexport {};\n`);
    expect(withHeader('#!/bin/sh\necho\n', 'run.sh', 'p')).toBe(`#!/bin/sh\n# ${TEXT}\necho\n`);
    expect(withHeader('# syntax=docker/dockerfile:1\nFROM node:20\n', 'Dockerfile', 'p')).toBe(
      `# syntax=docker/dockerfile:1\n# ${TEXT}\nFROM node:20\n`,
    );
    expect(withHeader('---\ntitle: x\n---\n# X\n', 'a.md', 'p')).toBe(`---\ntitle: x\n---\n<!-- ${TEXT} -->\n# X\n`);
    expect(withHeader('a: 1\r\n', 'a.yaml', 'p')).toBe(`# ${TEXT}\r\na: 1\r\n`);
  });

  it('is recognised at the top of a file, not deep inside it', () => {
    const file = withHeader('#!/bin/sh\necho\n', 'run.sh', 'p');
    expect(hasHeader(Buffer.from(file), 'run.sh')).toBe(true);
    expect(hasHeader(Buffer.from('#!/bin/sh\necho\n'), 'run.sh')).toBe(false);
    expect(hasHeader(Buffer.from(`${'x\n'.repeat(10)}// ${TEXT}\n`), 'a.ts')).toBe(false);
  });
});
