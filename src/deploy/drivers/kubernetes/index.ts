/**
 * The Kubernetes driver of `deploy`: its one entry point for the rest of shipshape (release.ts,
 * the dry run of ../../kubernetes.ts). render (manifests.ts) → plan (kubectl.ts) → write
 * (dry-run.ts) and run (executor.ts), with shipshape's own analysis for service-switch
 * (prometheus.ts). Tests reach the modules directly.
 */
export { MANIFEST_DIR, kubernetesDryRun, type KubernetesDryRunResult } from './dry-run.js';
export {
  execaKubectl,
  followArgoRollout,
  readLiveSlot,
  readRollout,
  runArgoRelease,
  runServiceSwitchRelease,
  type KubectlRunner,
  type ReleaseOutcome,
  type RolloutState,
} from './executor.js';
export { formatCommand, kubectlPlan, liveSlotCommand, type KubectlCommand, type KubectlPlan } from './kubectl.js';
export { analysisLimits, renderManifests, type Slot } from './manifests.js';
export { runAnalysis } from './prometheus.js';
