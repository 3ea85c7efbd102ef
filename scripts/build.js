// Type-checks with tsc, then bundles the CLI with esbuild: one graph of ESM chunks, so start-up
// reads a few files instead of resolving hundreds of modules (about 3x faster to load oclif,
// yaml and zod), and each command's core is a chunk loaded only when that command runs.
// Then precompiles the handlebars templates of the bundled packs (templates/<pack>/) into
// dist/templates/<pack>.js, so generate renders them with the handlebars runtime alone.
// Finally writes the oclif manifest, so `--help` and command lookup import no command module.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`, '--noEmit'], {
  stdio: 'inherit',
});
rmSync(`${root}dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: [
    'src/cli/run.ts',
    'src/cli/not-found.ts',
    'src/commands/index.ts',
    'src/check/worker.ts',
    'src/scaffold/precompile.ts',
    'src/deploy/bench-entry.ts',
    'src/deploy/drivers/local/supervisor.ts',
    'src/validate/index.ts',
  ],
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: true,
  // No keepNames: its __name() wrapper runs each time a closure is created, ~7% of parsing YAML.
  // Error classes set their name explicitly (src/errors.ts).
  chunkNames: 'chunks/[name]-[hash]',
  // oclif imports typescript only to run commands from .ts sources in development.
  external: ['typescript'],
  banner: { js: "import { createRequire as __shipshapeRequire } from 'node:module'; const require = __shipshapeRequire(import.meta.url);" },
  logLevel: 'warning',
});
// The same precompile function (and compile options) that the tests hold to run-time rendering.
const packs = existsSync(`${root}templates`)
  ? readdirSync(`${root}templates`, { withFileTypes: true }).filter(
      (entry) => entry.isDirectory() && existsSync(`${root}templates/${entry.name}/template.yaml`),
    )
  : [];
if (packs.length > 0) {
  const { precompilePack } = await import(`${root}dist/scaffold/precompile.js`);
  mkdirSync(`${root}dist/templates`, { recursive: true });
  for (const pack of packs) {
    writeFileSync(`${root}dist/templates/${pack.name}.js`, await precompilePack(`${root}templates/${pack.name}`));
  }
}
execFileSync(process.execPath, [`${root}scripts/manifest.js`], { stdio: 'inherit' });
