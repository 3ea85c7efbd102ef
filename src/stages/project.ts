/**
 * A project as the stages see it: its root (the folder of shipshape.yaml) and lazy, memoized
 * reads of what the evidence needs, so a stage that needs the check pays for it and the others
 * do not, and no file is read twice in one status.
 */
import { statSync, type Stats } from 'node:fs';
import { ReadError, readFileBoundedSync, readTextBoundedSync } from '../fs/read.js';
import { basename, dirname, join, resolve } from 'node:path';
import type { StageNumber } from './table.js';
import { runCheck } from '../check/engine.js';
import { UserError } from '../errors.js';
import { insideRoot } from '../fs/paths.js';
import { loadSpecText, type LoadedSpec } from '../spec/load.js';
import { specHash } from './hash.js';

export interface SpecSnapshot {
  bytes: Buffer;
  /** specHash of the bytes, computed on first read. */
  readonly hash: string;
  mtimeMs: number;
}

/** What `shipshape check --stage N` would say, reduced to what a stage needs. */
export interface CheckOutcome {
  errors: number;
  /** The first error, as `file:line:col message`. */
  first?: string;
  /** The check could not run at all (a broken policy file, say). */
  failure?: string;
}

export type JsonRead = { found: true; value: unknown } | { found: true; error: string } | { found: false };

export interface ProjectOptions {
  /** The day the check runs on (policy exceptions expire); default: now. */
  today?: Date;
}

export class Project {
  /** The folder of the spec: every evidence path is relative to it. */
  readonly root: string;
  readonly specFile: string;
  /** The spec's name relative to the root (shipshape.yaml or shipshape.yml). */
  readonly specName: string;
  private readonly memo = new Map<string, Promise<unknown>>();
  private readonly today: Date | undefined;

  constructor(specFile: string, options: ProjectOptions = {}) {
    this.specFile = resolve(specFile);
    this.root = dirname(this.specFile);
    this.specName = basename(this.specFile);
    this.today = options.today;
  }

  /** Computes a value once per project, however many stages ask for it. */
  cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let value = this.memo.get(key) as Promise<T> | undefined;
    if (!value) {
      value = compute();
      this.memo.set(key, value);
    }
    return value;
  }

  /** The absolute path of a project-relative path. */
  path(file: string): string {
    return join(this.root, file);
  }

  /** A project-relative path with forward slashes, or undefined when it leaves the project. */
  inside(file: string): string | undefined {
    return insideRoot(this.root, file);
  }

  spec(): Promise<SpecSnapshot> {
    return this.cached('spec', async () => {
      const [bytes, info] = [readFileBoundedSync(this.specFile, { what: 'spec' }), statSync(this.specFile)];
      let hash: string | undefined;
      // Hashed on first use: only the records of stages 3 to 6 (and --json) need it.
      return {
        bytes,
        mtimeMs: info.mtimeMs,
        get hash() {
          return (hash ??= specHash(bytes));
        },
      };
    });
  }

  /** The spec read and parsed once, for the evidence and for every check a stage asks for. */
  loaded(): Promise<LoadedSpec> {
    return this.cached('loaded', async () => {
      return loadSpecText(this.specName, (await this.spec()).bytes);
    });
  }

  /** The spec's plain data, valid or not: evidence looks at sections, the check judges them. */
  async data(): Promise<Record<string, unknown> | undefined> {
    return (await this.loaded()).parsed.data as Record<string, unknown> | undefined;
  }

  check(stage: StageNumber): Promise<CheckOutcome> {
    return this.cached(`check:${stage}`, async () => {
      const loaded = await this.loaded();
      try {
        const result = await runCheck({
          paths: [this.specFile],
          cwd: this.root,
          stage,
          failSeverity: 'error',
          preloaded: new Map([[this.specFile, loaded]]),
          ...(this.today ? { today: this.today } : {}),
        });
        const errors = result.results.flatMap((file) => file.findings).filter((f) => f.severity === 'error' && !f.exception);
        const first = errors[0];
        return {
          errors: errors.length,
          ...(first ? { first: `${first.file}:${first.range.line}:${first.range.column} ${first.message}` } : {}),
        };
      } catch (error) {
        if (error instanceof UserError) return { errors: 0, failure: error.located };
        throw error;
      }
    });
  }

  /**
   * Reads are synchronous throughout: a status reads a spec and a handful of small records, and
   * thread-pool round trips for each cost more than the reads themselves.
   */
  async stat(file: string): Promise<Stats | undefined> {
    try {
      return statSync(this.path(file));
    } catch {
      return undefined;
    }
  }

  /** A JSON file the later stages write: missing, unreadable or parsed (its shape is checked by the caller). */
  readJson(file: string): Promise<JsonRead> {
    return this.cached(`json:${file}`, async () => {
      let text: string;
      try {
        // Only shipshape writes these: a link is refused, not followed (fs/read.ts).
        text = readTextBoundedSync(this.path(file), { what: 'state file', display: file, links: 'refuse' });
      } catch (error) {
        if (error instanceof ReadError && error.reason !== 'missing' && error.reason !== 'io')
          return { found: true, error: `cannot be read: ${error.detail}` };
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return { found: false };
        return { found: true, error: `cannot be read (${code ?? String(error)})` };
      }
      try {
        return { found: true, value: JSON.parse(text) as unknown };
      } catch (error) {
        return { found: true, error: `is not valid JSON (${(error as Error).message})` };
      }
    });
  }
}
