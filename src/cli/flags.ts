/** Flags several commands share. */
import * as Flags from '@oclif/core/flags';

/** Which spec a command works on: `--spec FILE`, else shipshape.yaml found from `--dir` (or the working directory) upward. */
export function specFlags(what: string) {
  return {
    dir: Flags.string({
      char: 'd',
      description: 'Look for shipshape.yaml from this folder upward (default: the working directory).',
      exclusive: ['spec'],
    }),
    spec: Flags.string({ char: 's', description: `The spec file ${what}.` }),
  };
}
