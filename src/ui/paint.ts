/** Colour for human output: chalk on a terminal (NO_COLOR and FORCE_COLOR respected), plain otherwise. */
import chalk, { Chalk } from 'chalk';
import { plainPaint, type Paint } from '../text/paint.js';

export function paintFor(stream: NodeJS.WriteStream | undefined): Paint {
  const level = stream?.isTTY ? chalk.level : 0;
  if (level === 0) return plainPaint;
  const c = new Chalk({ level });
  return { red: c.red, yellow: c.yellow, blue: c.blue, green: c.green, dim: c.dim, bold: c.bold, underline: c.underline };
}
