/**
 * The registry of deploy drivers, one per `deploy.driver` of the spec. A driver implements
 * Driver (../driver.ts) in its own folder; the controller is the same for all.
 */
import { UserError } from '../../errors.js';
import type { DriverFactory, DriverKind } from '../driver.js';
import { createLocalDriver } from './local/index.js';

/** Until the Kubernetes driver lands (its own issue), choosing it says so instead of failing late. */
const kubernetesPending: DriverFactory = () => {
  throw new UserError('the kubernetes driver is not in this build yet', { hint: 'Use --driver local.' });
};

export const DRIVERS = {
  local: createLocalDriver,
  kubernetes: kubernetesPending,
} satisfies Record<DriverKind, DriverFactory>;
