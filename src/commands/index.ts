/**
 * The command map for oclif's explicit strategy: one bundled module, no directory scan at
 * start-up. Commands are thin and import the core lazily inside run().
 */
import Check from './check.js';
import Deploy from './deploy/index.js';
import DeployHistory from './deploy/history.js';
import DeployPromote from './deploy/promote.js';
import DeployRollback from './deploy/rollback.js';
import DeployStatus from './deploy/status.js';
import DeployStop from './deploy/stop.js';
import Demo from './demo.js';
import Design from './design.js';
import Generate from './generate.js';
import Init from './init.js';
import Review from './review.js';
import Rules from './rules.js';
import Runbook from './runbook.js';
import Schema from './schema.js';
import Status from './status.js';
import Validate from './validate.js';
import Walk from './walk.js';

export const COMMANDS = {
  check: Check,
  deploy: Deploy,
  'deploy:history': DeployHistory,
  'deploy:promote': DeployPromote,
  'deploy:rollback': DeployRollback,
  'deploy:status': DeployStatus,
  'deploy:stop': DeployStop,
  demo: Demo,
  design: Design,
  generate: Generate,
  init: Init,
  review: Review,
  rules: Rules,
  runbook: Runbook,
  schema: Schema,
  status: Status,
  validate: Validate,
  walk: Walk,
};
