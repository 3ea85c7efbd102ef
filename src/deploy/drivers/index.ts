/**
 * The registry of deploy drivers, one per `deploy.driver` of the spec, of two kinds:
 * - steered drivers implement Driver (../driver.ts) in their own folder: the rollout controller,
 *   the same for all, shifts their traffic step by step and runs the analysis (`local`);
 * - platform drivers hand the rollout to a platform that shifts traffic and analyses on its own
 *   (`kubernetes`: Argo Rollouts in the cluster); shipshape applies, follows, aborts and records.
 */
import type { DriverFactory, DriverKind } from '../driver.js';
import { createLocalDriver } from './local/index.js';

export const DRIVERS = {
  local: createLocalDriver,
} satisfies Record<Exclude<DriverKind, PlatformDriverKind>, DriverFactory>;

/** Loaded on use: a local deploy never reads the Kubernetes code. */
export const PLATFORM_DRIVERS = {
  kubernetes: () => import('./kubernetes/release.js'),
} satisfies Record<PlatformDriverKind, () => Promise<unknown>>;

export type PlatformDriverKind = 'kubernetes';

export const isPlatformDriver = (kind: string | undefined): kind is PlatformDriverKind => kind === 'kubernetes';
