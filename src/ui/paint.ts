/**
 * Colour for human output: chalk on a terminal, plain otherwise. NO_COLOR turns it off and
 * FORCE_COLOR on (even into a pipe), as src/cli/color-env.ts settled them at start-up; chalk
 * itself reads only FORCE_COLOR.
 */
import chalk, { Chalk, chalkStderr } from 'chalk';
import { plainPaint, type Paint } from '../text/paint.js';

/** The colour level for `stream`: 0 for none (no stream means a file). */
function colorLevel(stream: NodeJS.WriteStream | undefined): number {
  const env = process.env;
  if (!stream) return 0;
  const forced = env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0' && env['FORCE_COLOR'].toLowerCase() !== 'false';
  if (!forced && ((env['NO_COLOR'] ?? '') !== '' || !stream.isTTY)) return 0;
  return stream === process.stderr ? chalkStderr.level : chalk.level;
}

export function paintFor(stream: NodeJS.WriteStream | undefined): Paint {
  const level = colorLevel(stream);
  if (level === 0) return plainPaint;
  const c = new Chalk({ level: level as 1 | 2 | 3 });
  return { red: c.red, yellow: c.yellow, blue: c.blue, green: c.green, dim: c.dim, bold: c.bold, underline: c.underline };
}
