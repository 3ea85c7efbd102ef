/**
 * NO_COLOR and FORCE_COLOR, settled once for every library that colours, before any of them loads.
 * They read the two variables differently: chalk reads only FORCE_COLOR, listr2's colorette takes
 * any FORCE_COLOR (even 0) as "force" and an empty NO_COLOR as "off", ansis and Node read both.
 * FORCE_COLOR wins when both are set, as in Node; NO_COLOR counts only when not empty
 * (no-color.org). The choice is written back as the one variable each of them reads alike:
 * FORCE_COLOR=1..3 to force colour, NO_COLOR=1 to have none. Never both, which also spares the
 * child processes (npm, the generated service) Node's warning about the pair.
 */
const env = process.env;
const force = env['FORCE_COLOR'];
if (force !== undefined) {
  if (force === '0' || force.toLowerCase() === 'false') {
    delete env['FORCE_COLOR'];
    env['NO_COLOR'] = '1';
  } else {
    delete env['NO_COLOR'];
  }
} else if (env['NO_COLOR'] === '') {
  delete env['NO_COLOR'];
}
