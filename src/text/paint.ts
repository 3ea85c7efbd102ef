/**
 * Terminal text without a terminal library: the core colours its human output through a Paint,
 * which src/ui/ fills with chalk on a terminal and which is plain everywhere else.
 */

/** The colours human output may use; the CLI passes chalk's on a terminal, plainPaint elsewhere. */
export interface Paint {
  red: (s: string) => string;
  yellow: (s: string) => string;
  blue: (s: string) => string;
  green: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
  underline: (s: string) => string;
}

const identity = (s: string): string => s;

/** No colour at all. */
export const plainPaint: Paint = {
  red: identity,
  yellow: identity,
  blue: identity,
  green: identity,
  dim: identity,
  bold: identity,
  underline: identity,
};
