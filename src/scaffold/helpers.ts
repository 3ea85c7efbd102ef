/**
 * What every pack template is compiled and run with, at build time (precompiled bundled packs)
 * and at run time alike: the compile options and the helpers. Keeping them in one module is what
 * makes the two give the same bytes.
 */
import type HandlebarsNamespace from 'handlebars';

type Env = typeof HandlebarsNamespace;

/** strict: a missing field throws instead of rendering blank; noEscape: code, not HTML. */
export const COMPILE_OPTIONS = { strict: true, noEscape: true } as const;

/** Where in a template a helper was called: handlebars' own location (line 1-based, column 0-based). */
export interface TemplateLocation {
  start: { line: number; column: number };
  end: { line: number; column: number };
}

/** A helper was given nothing (a missing field as its argument) or the wrong kind of value. */
export class HelperError extends Error {
  readonly helper: string;
  /** The argument at fault, 0-based. */
  readonly argument: number;
  readonly loc: TemplateLocation | undefined;
  readonly missing: boolean;
  constructor(helper: string, argument: number, loc: TemplateLocation | undefined, problem: 'missing' | string) {
    super(problem === 'missing' ? `${helper} was given a field that is not defined` : `${helper} ${problem}`);
    this.name = 'HelperError';
    this.helper = helper;
    this.argument = argument;
    this.loc = loc;
    this.missing = problem === 'missing';
  }
}

interface HelperOptions {
  name: string;
  loc?: TemplateLocation;
}

/** Splits `supportTriage`, `Support triage`, `support_triage` and `support-triage` into words. */
function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

const capital = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();

const CASES = {
  kebab: (text: string): string =>
    words(text)
      .map((word) => word.toLowerCase())
      .join('-'),
  camel: (text: string): string =>
    words(text)
      .map((word, i) => (i === 0 ? word.toLowerCase() : capital(word)))
      .join(''),
  pascal: (text: string): string => words(text).map(capital).join(''),
  upper: (text: string): string => text.toUpperCase(),
};

/** The arguments of a helper call and its options (always last). */
function split(args: unknown[]): { values: unknown[]; options: HelperOptions } {
  return { values: args.slice(0, -1), options: args.at(-1) as HelperOptions };
}

function textArgument(values: unknown[], options: HelperOptions): string {
  const value = values[0];
  if (value === undefined) throw new HelperError(options.name, 0, options.loc, 'missing');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new HelperError(options.name, 0, options.loc, `takes text, and was given ${value === null ? 'null' : typeof value}`);
}

/** Registers the helpers on a handlebars environment (full or runtime-only). */
export function registerHelpers(env: Env): void {
  for (const [name, convert] of Object.entries(CASES)) {
    env.registerHelper(name, (...args: unknown[]) => {
      const { values, options } = split(args);
      return convert(textArgument(values, options));
    });
  }
  // {{json value}} compact, {{json value 2}} indented.
  env.registerHelper('json', (...args: unknown[]) => {
    const { values, options } = split(args);
    const [value, indent] = values;
    if (value === undefined) throw new HelperError(options.name, 0, options.loc, 'missing');
    if (indent !== undefined && typeof indent !== 'number')
      throw new HelperError(options.name, 1, options.loc, 'takes a number of spaces to indent by');
    return JSON.stringify(value, null, indent);
  });
  // {{#unless (eq a b)}}: strict equality, for lists that must not repeat a value.
  env.registerHelper('eq', (...args: unknown[]) => {
    const { values } = split(args);
    return values[0] === values[1];
  });
}
