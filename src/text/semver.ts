/**
 * Versions of template packs, `x.y.z`: just enough of semver to hold a pack to a policy's
 * minimum, without a dependency.
 */

/** `1.4.0`: three numbers without leading zeros. */
export const VERSION_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** A release, or a pre-release or build of one (`1.4.0-beta.1`, `1.4.0+sha.5114f85`). */
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** A pre-release comes before the release of the same x.y.z. */
  prerelease: boolean;
}

export function parseVersion(text: string): Version | undefined {
  const match = SEMVER.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), prerelease: match[4] !== undefined };
}

/**
 * Negative when `a` comes before `b`, positive after, 0 when equal. Two pre-releases of one x.y.z
 * compare equal: a policy's minimum is always a release, so their order never decides anything.
 */
export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || Number(b.prerelease) - Number(a.prerelease);
}
