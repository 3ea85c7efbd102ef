import { readTextBoundedSync } from '../fs/read.js';
import { MANIFEST_FILE, readManifestLeniently } from '../state/manifest.js';
import { listOf } from '../text/list.js';
import { componentsEvidence } from './components.js';
import type { Project } from './project.js';
import { stateOf, type Evidence, type StageEvidence } from './types.js';

export const ORCHESTRATION_DIR = 'src/orchestration/';

/**
 * The generated file the orchestration layer reads its tiers and fallback from: the spec as data
 * (`const data = {...} as const`), rendered by the pack at generate time. Stage 4 is done when it
 * is in the manifest and names every tier and the fallback the spec names now.
 */
export const WIRING_FILE = 'src/config/spec.ts';

/** The spec data a wiring file holds, or undefined when it holds none that parses. */
export function wiringData(text: string): Record<string, unknown> | undefined {
  const start = text.search(/const data = \{/);
  // The object closes at the start of a line (JSON.stringify with an indent); later lines of the
  // file (generatedBy) have their own `as const`.
  const end = start === -1 ? -1 : text.indexOf('\n} as const', start) + 1;
  if (start === -1 || end <= 0) return undefined;
  try {
    const value = JSON.parse(text.slice(text.indexOf('{', start), end + 1)) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const namesOf = (data: Record<string, unknown> | undefined): string[] => {
  const tiers = (data?.['models'] as { tiers?: unknown } | undefined)?.tiers;
  return Array.isArray(tiers)
    ? tiers.flatMap((tier) => (typeof (tier as { name?: unknown })?.name === 'string' ? [(tier as { name: string }).name] : []))
    : [];
};
const fallbackOf = (data: Record<string, unknown> | undefined): string | undefined => {
  const strategy = (data?.['resilience'] as { fallback?: { strategy?: unknown } } | undefined)?.fallback?.strategy;
  return typeof strategy === 'string' ? strategy : undefined;
};

/** Whether the generated wiring names every tier and the fallback of the spec. */
async function wiringEvidence(
  project: Project,
  spec: Record<string, unknown> | undefined,
): Promise<{ started: boolean; evidence: Evidence }> {
  const what = 'generated wiring';
  const file = WIRING_FILE;
  const read = await project.readJson(MANIFEST_FILE);
  const parsed = read.found && !('error' in read) ? readManifestLeniently(read.value) : undefined;
  const listed = parsed !== undefined && !('error' in parsed) && parsed.value.files[WIRING_FILE] !== undefined;
  const info = await project.stat(WIRING_FILE);
  if (!listed || !info?.isFile()) {
    return {
      started: Boolean(info),
      evidence: { what, file, ok: false, detail: info?.isFile() ? `${file} is not in ${MANIFEST_FILE}` : `no ${file}` },
    };
  }
  let data: Record<string, unknown> | undefined;
  try {
    data = wiringData(readTextBoundedSync(project.path(WIRING_FILE), { display: WIRING_FILE }));
  } catch {
    data = undefined;
  }
  if (!data) return { started: true, evidence: { what, file, ok: false, detail: `${file} holds no spec data the service can run with` } };
  const wanted = namesOf(spec);
  const wired = new Set(namesOf(data));
  const unwired = wanted.filter((name) => !wired.has(name));
  if (unwired.length > 0) {
    const tiers = unwired.length === 1 ? 'the tier' : 'the tiers';
    return {
      started: true,
      evidence: { what, file, ok: false, detail: `${file} does not wire ${tiers} ${listOf(unwired)}: run shipshape generate` },
    };
  }
  const fallback = fallbackOf(spec);
  if (fallback !== fallbackOf(data)) {
    const has = fallbackOf(data) ?? 'none';
    return {
      started: true,
      evidence: {
        what,
        file,
        ok: false,
        detail: `${file} wires the fallback ${has}, the spec names ${fallback ?? 'none'}: run shipshape generate`,
      },
    };
  }
  const tiers = wanted.length === 0 ? 'no tiers' : `${wanted.length === 1 ? 'the tier' : 'the tiers'} ${listOf(wanted)}`;
  return {
    started: true,
    evidence: { what, file, ok: true, detail: `${file} wires ${tiers}${fallback ? ` and the ${fallback} fallback` : ''}` },
  };
}

/**
 * Stage 4: the components of stage 3, resilience in the spec, and evidence that the generated
 * wiring runs every tier and the fallback the spec names (a folder that exists proves nothing).
 */
export async function orchestrationEvidence(project: Project): Promise<StageEvidence> {
  const [components, data, folder] = await Promise.all([componentsEvidence(project), project.data(), project.stat(ORCHESTRATION_DIR)]);
  const resilience = data?.['resilience'];
  const hasResilience = resilience !== null && typeof resilience === 'object';
  const hasFolder = Boolean(folder?.isDirectory());
  const wiring = await wiringEvidence(project, data);
  const evidence: Evidence[] = [
    {
      what: 'stage 3',
      ok: components.state === 'done',
      detail: components.state === 'done' ? 'stage 3 is done' : `stage 3 is ${components.state.replace('-', ' ')}`,
    },
    {
      what: 'resilience',
      file: project.specName,
      ok: hasResilience,
      detail: hasResilience ? `resilience is set in ${project.specName}` : `no resilience section in ${project.specName}`,
    },
    {
      what: 'orchestration layer',
      file: ORCHESTRATION_DIR,
      ok: hasFolder,
      detail: hasFolder ? `${ORCHESTRATION_DIR} exists` : `no ${ORCHESTRATION_DIR}`,
    },
    wiring.evidence,
  ];
  // `design` fills in resilience with defaults, so only the generated layer says the stage began.
  return { state: stateOf(hasFolder || wiring.started, evidence), evidence };
}
