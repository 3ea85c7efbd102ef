/**
 * Precompiling a pack's templates (its .hbs files and templated paths) into a JavaScript module,
 * so a bundled pack renders through the small handlebars runtime without compiling anything.
 * `scripts/build.js` writes one module per bundled pack to dist/templates/<pack>.js.
 */
import Handlebars from 'handlebars';
import { COMPILE_OPTIONS } from './helpers.js';
import { listPackFiles } from './pack.js';
import { sourceHash } from './precompiled.js';
import { LARGE_FILE_MAX_BYTES, readTextBounded } from '../fs/read.js';

/** The source of an ES module whose default export is the PrecompiledPack (precompiled.ts) of the pack at `root`. */
export async function precompilePack(root: string): Promise<string> {
  const files: string[] = [];
  const paths: string[] = [];
  for (const file of await listPackFiles(root)) {
    if (file.path.includes('{{')) paths.push(`${JSON.stringify(file.path)}: ${String(Handlebars.precompile(file.path, COMPILE_OPTIONS))}`);
    if (!file.template) continue;
    const source = await readTextBounded(file.absolute, { maxBytes: LARGE_FILE_MAX_BYTES, what: 'pack file' });
    const spec = String(Handlebars.precompile(source, COMPILE_OPTIONS));
    files.push(`${JSON.stringify(file.path)}: { sha256: ${JSON.stringify(sourceHash(source))}, spec: ${spec} }`);
  }
  return `// Precompiled by shipshape's build from ${root.split(/[\\/]/).at(-1) ?? root}: do not edit.\nexport default {\n  files: {\n    ${files.join(',\n    ')}\n  },\n  paths: {\n    ${paths.join(',\n    ')}\n  },\n};\n`;
}
