/**
 * The files a bundled example brings beside its spec: examples/NAME/ (a RAG example's corpus, an
 * extract example's JSON Schema) is copied into the project as it is, so the paths the spec
 * names (`task.rag.corpus`, `task.extract.schema`) resolve there. Only regular files are copied:
 * a symbolic link in the folder is skipped, so nothing outside the package is ever read.
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { UserError } from '../errors.js';
import { readFileBounded } from '../fs/read.js';

/** A file of the example folder: its path relative to the folder, and its bytes. */
export interface ExampleFile {
  path: string;
  content: Buffer;
}

/** More than an example needs; a bound, so a broken package cannot make init read without end. */
const MAX_FILES = 200;
const MAX_FILE_BYTES = 256 * 1024;

/** The files under `folder`, recursively, sorted; none when the folder does not exist. */
export async function exampleFiles(folder: string): Promise<ExampleFile[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && dir === folder) return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) found.push(path);
      if (found.length > MAX_FILES) {
        throw new UserError(`the example folder ${folder} holds more than ${MAX_FILES} files`, {
          hint: 'The package looks broken: reinstall shipshape.',
        });
      }
    }
  };
  await walk(folder);
  found.sort();
  return Promise.all(
    found.map(async (path) => ({
      path: relative(folder, path),
      content: await readFileBounded(path, { maxBytes: MAX_FILE_BYTES, what: 'example file' }),
    })),
  );
}
