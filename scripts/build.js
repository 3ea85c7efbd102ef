// Type-checks with tsc, then bundles with esbuild:
// - dist/cli.cjs: the whole CLI (oclif, the commands, the core behind each command's lazy imports)
//   as one CommonJS script, and dist/check-worker.cjs, the check engine for worker threads. One
//   file each, because bin/run.js hands it to V8 with its code cache (src/cli/boot.ts): one
//   compile saved instead of resolving, reading and compiling some 25 ESM chunks at every start.
//   The first line stamps the bundle with the hash of its contents, which names its cache.
// - the starts that load those bundles (dist/cli/run.cjs for bin/run.js, dist/cli/check-worker.cjs),
//   and, as ESM chunks, what the bench and the build import.
// Then precompiles the handlebars templates of the bundled packs (templates/<pack>/) into
// dist/templates/<pack>.js, so generate renders them with the handlebars runtime alone.
// Finally writes the oclif manifest, so `--help` and command lookup import no command module.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`, '--noEmit'], {
  stdio: 'inherit',
});
rmSync(`${root}dist`, { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: true,
  // No keepNames: its __name() wrapper runs each time a closure is created, ~7% of parsing YAML.
  // Error classes set their name explicitly (src/errors.js).
  // oclif imports typescript only to run commands from .ts sources in development.
  external: ['typescript'],
  logLevel: 'warning',
};
// zod re-exports its 60 locales (300 KB, a third of zod) as z.locales; shipshape speaks English
// only, so the bundles keep just the one zod configures itself with.
const englishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: `${args.resolveDir}/../locales/en.js`, namespace: 'zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: root,
    }));
  },
};
// The commands CI runs most (check, status, rules, schema, and help) also get a lite bundle without
// the cores of the other commands: a third of the bytes to read and of the code cache to load.
// design and generate get one of their own the same way (dist/cli-gen.cjs), without the cores of
// validate, deploy, runbook, review and the rest (the Grafana SDK, execa, iconv-lite among them).
// dist/cli/run.cjs picks the bundle by command (LITE_COMMANDS and GEN_COMMANDS there); in a lighter
// one, the other commands' lazy imports of their cores are stubs that say so.
const coresOf = (name, commands) => {
  const others = new RegExp(String.raw`[\\/]src[\\/]commands[\\/](?:${commands})\.ts$`);
  return {
    name,
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) =>
        args.kind === 'dynamic-import' && others.test(args.importer) ? { path: args.path, namespace: 'full-only' } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'full-only' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`${args.path} is not in this bundle: this command runs from dist/cli.cjs`)});`,
      }));
    },
  };
};
const lite = coresOf('lite', String.raw`init|validate|review|runbook|walk|design|generate|demo|deploy[\\/][^\\/]+`);
const gen = coresOf('gen', String.raw`init|validate|review|runbook|walk|demo|deploy[\\/][^\\/]+|check|status|rules|schema`);
// oclif's logger loads `debug`, which loads node:tty (and with it node:net) at every start: about
// as long as the rest of oclif's own start. The bundles load it only when DEBUG asks for output.
const debugWhenAsked = {
  name: 'debug-when-asked',
  setup(build) {
    const real = createRequire(`${root}node_modules/@oclif/core/lib/logger.js`).resolve('debug');
    build.onResolve({ filter: /^debug$/ }, (args) =>
      /[\\/]@oclif[\\/]core[\\/]/.test(args.importer) ? { path: real, namespace: 'debug-when-asked' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'debug-when-asked' }, (args) => ({
      contents: `module.exports = process.env.DEBUG ? require(${JSON.stringify(args.path)}) : () => () => {};`,
      resolveDir: root,
    }));
  },
};
// oclif sorts each plugin's commands by `localeCompare`, and the first call of it sets up an ICU
// collator: 10-30 ms of every start. For ids of lowercase letters, `:` and `-` (every id shipshape
// and the completion plugin have), ICU's root order is code-point order, so those pairs are compared
// directly; any other pair still goes through localeCompare, so the order is the same for any id.
// The build fails if oclif's line changes, rather than silently keeping the slow sort.
const OCLIF_SORT = '.sort((a, b) => a.id.localeCompare(b.id));';
const oclifIdSort = {
  name: 'oclif-id-sort',
  setup(build) {
    build.onLoad({ filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(OCLIF_SORT)) throw new Error(`${args.path}: oclif's command sort changed; review the oclif-id-sort plugin`);
      const sort =
        '.sort((a, b) => { const x = a.id, y = b.id; return /^[a-z:-]*$/.test(x) && /^[a-z:-]*$/.test(y) ? (x < y ? -1 : x > y ? 1 : 0) : x.localeCompare(y); });';
      return { contents: source.replace(OCLIF_SORT, sort), loader: 'js' };
    });
  },
};
// The ADR template (src/design/adr-template.ts) precompiled with its own options, run by the
// handlebars runtime: `design` neither loads the handlebars compiler nor compiles at every run.
const adrPrecompiled = {
  name: 'adr-precompiled',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]design[\\/]adr-template\.ts$/ }, async (args) => {
      // The module alone, its handlebars import stubbed, to read the template and options it exports.
      const stub = {
        name: 'no-handlebars',
        setup(inner) {
          inner.onResolve({ filter: /^handlebars$/ }, () => ({ path: 'handlebars', namespace: 'stub' }));
          inner.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default {};' }));
        },
      };
      const module = await build.esbuild.build({ ...common, entryPoints: [args.path], format: 'esm', write: false, plugins: [stub] });
      const url = `data:text/javascript;base64,${Buffer.from(module.outputFiles[0].contents).toString('base64')}`;
      const { ADR_TEMPLATE, ADR_COMPILE_OPTIONS, KEEP_START, KEEP_END } = await import(url);
      const { default: Handlebars } = await import('handlebars');
      const spec = Handlebars.precompile(ADR_TEMPLATE, ADR_COMPILE_OPTIONS);
      return {
        contents: [
          `import Runtime from 'handlebars/runtime';`,
          `export const KEEP_START = ${JSON.stringify(KEEP_START)};`,
          `export const KEEP_END = ${JSON.stringify(KEEP_END)};`,
          `export const ADR_COMPILE_OPTIONS = ${JSON.stringify(ADR_COMPILE_OPTIONS)};`,
          `export const ADR_TEMPLATE = ${JSON.stringify(ADR_TEMPLATE)};`,
          `export function compileAdrTemplate() { return Runtime.create().template(${spec}); }`,
        ].join('\n'),
        loader: 'js',
        resolveDir: root,
      };
    });
  },
};
// Stamped bundles, loaded through the code cache, and the starts that load them.
const cjs = {
  'src/cli/bundle.ts': { outfile: 'dist/cli.cjs', stamp: true },
  'src/cli/bundle.ts?lite': { outfile: 'dist/cli-lite.cjs', stamp: true, plugins: [lite] },
  'src/cli/bundle.ts?gen': { outfile: 'dist/cli-gen.cjs', stamp: true, plugins: [gen] },
  'src/check/worker.ts': { outfile: 'dist/check-worker.cjs', stamp: true },
  'src/cli/run.ts': { outfile: 'dist/cli/run.cjs' },
  'src/cli/check-worker.ts': { outfile: 'dist/cli/check-worker.cjs' },
};
for (const [entry, { outfile, stamp, plugins = [] }] of Object.entries(cjs)) {
  const result = await build({
    ...common,
    entryPoints: [entry.replace(/\?.*/, '')],
    format: 'cjs',
    write: false,
    outfile,
    // Inside the script, import.meta.url is the file's own URL, as it was each chunk's.
    define: { 'import.meta.url': '__shipshape_bundle_url' },
    banner: { js: 'var __shipshape_bundle_url = require("node:url").pathToFileURL(__filename).href;' },
    // ASCII only (non-ASCII escaped), so the loader reads it as latin1 into a one-byte string.
    charset: 'ascii',
    plugins: [englishOnly, debugWhenAsked, oclifIdSort, adrPrecompiled, ...plugins],
  });
  let code = Buffer.from(result.outputFiles[0].contents);
  if (stamp) {
    // A script that V8 deserialised from a code cache has lost the loader for its import() calls
    // (Node 20). The bundle's few import() of files outside it (a precompiled template pack,
    // oclif's ESM plugins) go through the start's own import() (src/cli/run.ts), or, when the
    // bundle is require()d as it is, its own.
    const rewritten = code.toString('latin1').replace(/(?<![\w$.])import\((?!\))/g, '__shipshape_import(');
    const importer = `var __shipshape_import = (specifier) => (globalThis[Symbol.for('shipshape.import')] ?? ((s) => import(s)))(specifier);\n`;
    code = Buffer.from(importer + rewritten, 'latin1');
  }
  mkdirSync(dirname(`${root}${outfile}`), { recursive: true });
  const header = stamp ? `//shipshape-bundle ${createHash('sha256').update(code).digest('hex')}\n` : '';
  writeFileSync(`${root}${outfile}`, Buffer.concat([Buffer.from(header), code]));
}
await build({
  ...common,
  // The local deploy driver's supervisor runs as its own detached process (node dist/deploy/drivers/local/supervisor.js).
  entryPoints: [
    'src/scaffold/precompile.ts',
    'src/deploy/bench-entry.ts',
    'src/validate/index.ts',
    'src/deploy/drivers/local/supervisor.ts',
  ],
  outdir: 'dist',
  outbase: 'src',
  splitting: true,
  format: 'esm',
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: "import { createRequire as __shipshapeRequire } from 'node:module'; const require = __shipshapeRequire(import.meta.url);" },
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
