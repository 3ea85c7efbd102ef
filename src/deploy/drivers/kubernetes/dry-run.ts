/**
 * `deploy --driver kubernetes --dry-run`: renders the manifests, writes them to deploy/k8s/ and
 * returns the kubectl commands a release runs. Plan, then apply: every file's fate is worked out
 * before the first write. Each file starts with a header holding the hash of what shipshape
 * wrote: a file whose body no longer matches was changed by hand and is only overwritten with
 * `force`; a file whose header line was deleted has been taken over and is left alone.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { UserError } from '../../../errors.js';
import { writeFilesAtomic } from '../../../fs/atomic.js';
import { insideRoot } from '../../../fs/paths.js';
import { HEADER_MARK } from '../../../scaffold/header.js';
import { readProjectState } from '../../../scaffold/state.js';
import type { Spec } from '../../../spec/schema.js';
import { formatCommand, kubectlPlan, releaseCommands, type KubectlPlan, type ReleaseCommands } from './kubectl.js';
import { manifestYaml, renderManifests, resolveImage, type KubernetesManifests, type Slot } from './manifests.js';

/** Where the manifests go, relative to the project root. */
export const MANIFEST_DIR = 'deploy/k8s';

export interface KubernetesDryRunOptions {
  /** The project root (where shipshape.yaml is). */
  root: string;
  spec: Spec;
  /** --image: a tag of deploy.kubernetes.image, or a full image reference. */
  image?: string;
  /** The commit that tags the image when --image is absent (the git HEAD of root unless given). */
  commit?: string;
  /** --context and --namespace of every kubectl command. */
  context?: string;
  namespace?: string;
  /** Overwrite manifests changed by hand. */
  force?: boolean;
  prometheusAddress?: string;
  liveSlot?: Slot;
  minRequests?: number;
}

export type FileAction = 'create' | 'update' | 'unchanged' | 'overwrite' | 'kept';

export interface KubernetesDryRunResult {
  mode: KubernetesManifests['mode'];
  strategy: KubernetesManifests['strategy'];
  namespace: string;
  image: string;
  version: string;
  /** Each manifest, project-relative, and what happened to it (kept: taken over by the user, not written). */
  files: { path: string; action: FileAction }[];
  /** The Secret the pods read the spec's `${VAR}`s from, and its keys: create it before applying. */
  secret: { name: string; keys: string[] };
  plan: KubectlPlan;
  commands: ReleaseCommands;
  /** The commands as shell lines, in order: what a person runs. */
  lines: string[];
  /** The analysis queries (service-switch: shipshape runs them itself against Prometheus). */
  queries: KubernetesManifests['queries'];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const HEADER = new RegExp(`^# ${HEADER_MARK} \\(deploy --driver kubernetes\\).* sha256:([0-9a-f]{64})\\n`);

/** The file as written: a header with the hash of the body, then the body. */
export function withManifestHeader(body: string): string {
  return `# ${HEADER_MARK} (deploy --driver kubernetes): rewritten on every deploy. To take it over, delete this line. sha256:${sha256(body)}\n${body}`;
}

/** 'managed' (shipshape's, unchanged since), 'changed' (edited by hand), or 'taken-over' (no header). */
export function manifestState(content: string): 'managed' | 'changed' | 'taken-over' {
  const header = HEADER.exec(content);
  if (!header) return 'taken-over';
  return sha256(content.slice(header[0].length)) === header[1] ? 'managed' : 'changed';
}

/** The git commit of HEAD in `root` (12 characters), or undefined outside a repository. */
export async function gitCommit(root: string): Promise<string | undefined> {
  const result = await execa('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, reject: false, stdin: 'ignore' });
  return result.exitCode === 0 && /^[0-9a-f]{7,40}$/.test(result.stdout.trim()) ? result.stdout.trim() : undefined;
}

/** Renders, writes deploy/k8s/ and returns the commands. Throws UserError before writing anything when a file is in the way. */
export async function kubernetesDryRun(options: KubernetesDryRunOptions): Promise<KubernetesDryRunResult> {
  const commit = options.image ? undefined : (options.commit ?? (await gitCommit(options.root)));
  const { image, version } = resolveImage(options.spec, {
    ...(options.image ? { image: options.image } : {}),
    ...(commit ? { commit } : {}),
  });
  const manifests = renderManifests(options.spec, {
    image,
    version,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.liveSlot ? { liveSlot: options.liveSlot } : {}),
    ...(options.prometheusAddress ? { prometheusAddress: options.prometheusAddress } : {}),
    ...(options.minRequests === undefined ? {} : { minRequests: options.minRequests }),
  });

  const wanted = manifests.files.map((file) => ({ path: `${MANIFEST_DIR}/${file.name}`, content: withManifestHeader(manifestYaml(file)) }));
  for (const file of wanted) {
    if (insideRoot(options.root, file.path) === undefined) throw new UserError(`${file.path} lies outside the project`);
  }
  const disk = await readProjectState(
    options.root,
    wanted.map((file) => file.path),
    [],
  );
  const planned: { path: string; content: string; action: FileAction }[] = [];
  const changed: string[] = [];
  for (const file of wanted) {
    const state = disk.files.get(file.path) ?? { kind: 'missing' as const };
    if (state.kind === 'blocked') {
      throw new UserError(`cannot write ${file.path}: ${state.reason}`, {
        hint: `Move it out of the way; shipshape writes ${MANIFEST_DIR}/ only.`,
      });
    }
    if (state.kind === 'missing') {
      planned.push({ ...file, action: 'create' });
      continue;
    }
    const current = state.content.toString('utf8');
    if (current === file.content) planned.push({ ...file, action: 'unchanged' });
    else {
      const ownership = manifestState(current);
      if (ownership === 'taken-over') planned.push({ ...file, action: 'kept' });
      else if (ownership === 'managed') planned.push({ ...file, action: 'update' });
      else if (options.force) planned.push({ ...file, action: 'overwrite' });
      else changed.push(file.path);
    }
  }
  if (changed.length > 0) {
    throw new UserError(
      `${changed.join(', ')} ${changed.length === 1 ? 'was' : 'were'} changed by hand since shipshape wrote ${changed.length === 1 ? 'it' : 'them'}`,
      {
        hint: 'Pass --force to overwrite, or delete the first line of a file to take it over (shipshape then leaves it alone).',
      },
    );
  }
  await mkdir(join(options.root, MANIFEST_DIR), { recursive: true });
  await writeFilesAtomic(
    planned
      .filter((file) => file.action === 'create' || file.action === 'update' || file.action === 'overwrite')
      .map((file) => ({ path: join(options.root, file.path), content: file.content, display: file.path })),
  );

  const plan = kubectlPlan(manifests, {
    dir: MANIFEST_DIR,
    ...(options.context ? { context: options.context } : {}),
    ...(options.namespace ? { namespace: options.namespace } : {}),
  });
  const commands = releaseCommands(plan);
  return {
    mode: manifests.mode,
    strategy: manifests.strategy,
    namespace: manifests.namespace,
    image,
    version,
    files: planned.map(({ path, action }) => ({ path, action })),
    secret: { name: manifests.names.secret, keys: manifests.secretKeys },
    plan,
    commands,
    lines: commands.run.map(formatCommand),
    queries: manifests.queries,
  };
}
