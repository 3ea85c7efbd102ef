/**
 * The command map for oclif's explicit strategy: one bundled module, no directory scan at
 * start-up. Commands are thin and import the core lazily inside run().
 */
import Check from './check.js';
import Design from './design.js';
import Generate from './generate.js';
import Init from './init.js';
import Rules from './rules.js';
import Runbook from './runbook.js';
import Schema from './schema.js';
import Status from './status.js';
import Walk from './walk.js';

export const COMMANDS = {
  check: Check,
  design: Design,
  generate: Generate,
  init: Init,
  rules: Rules,
  runbook: Runbook,
  schema: Schema,
  status: Status,
  walk: Walk,
};
