/**
 * The one rule for where generate may write: a project-relative path with forward slashes that
 * stays inside the project and out of the folders that are not the pack's to touch.
 */

/** Folders a pack may never write into (compared case-insensitively, for case-insensitive disks). */
const RESERVED_FIRST = '.shipshape';
const RESERVED_ANYWHERE = '.git';
/** The spec's names at the project's root (compared case-insensitively). */
const SPEC_NAMES = new Set(['shipshape.yaml', 'shipshape.yml']);

/**
 * Why `path` may not be written by a pack, or undefined when it may. The reason completes a
 * sentence: `renders to "../x", which leaves the project`.
 */
export function unsafePathReason(path: string): string | undefined {
  if (path === '') return 'is empty';
  if (path.includes('\0')) return 'holds a NUL character';
  if (path.includes('\\')) return 'holds a backslash (folders are separated by /)';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'is absolute';
  const segments = path.split('/');
  if (segments.some((segment) => segment === '..')) return 'leaves the project (..)';
  if (segments.some((segment) => segment === '' || segment === '.')) return 'has an empty folder name';
  if (segments[0]!.toLowerCase() === RESERVED_FIRST) return 'is inside .shipshape/, which shipshape keeps for itself';
  if (segments.some((segment) => segment.toLowerCase() === RESERVED_ANYWHERE)) return 'is inside a .git folder';
  // The spec is the user's: no pack writes it, forced or not.
  if (segments.length === 1 && SPEC_NAMES.has(segments[0]!.toLowerCase())) return 'is the spec, which only the user and design write';
  return undefined;
}
