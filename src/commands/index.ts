/**
 * The command map for oclif's explicit strategy: one bundled module, no directory scan at
 * start-up. Commands are thin and import the core lazily inside run().
 */
import Schema from './schema.js';

export const COMMANDS = {
  schema: Schema,
};
