/**
 * The Kubernetes driver of `deploy`: what the `deploy` command and the rollout controller call.
 * render (manifests.ts) → plan (kubectl.ts) → write (dry-run.ts) or run (executor.ts), with
 * shipshape's own analysis for service-switch (prometheus.ts).
 */
export { analysisQueries, queryWindow, type AnalysisQuery, type QueryScope } from './analysis.js';
export {
  MANIFEST_DIR,
  gitCommit,
  kubernetesDryRun,
  manifestState,
  type FileAction,
  type KubernetesDryRunOptions,
  type KubernetesDryRunResult,
} from './dry-run.js';
export {
  execaKubectl,
  parseRollout,
  readLiveSlot,
  readRollout,
  rollbackRelease,
  rolloutVerdict,
  runArgoRelease,
  runServiceSwitchRelease,
  type FollowOptions,
  type KubectlRunner,
  type ReleaseOutcome,
  type ReleaseStatus,
  type RolloutState,
} from './executor.js';
export {
  formatCommand,
  kubectlPlan,
  liveSlotCommand,
  releaseCommands,
  type KubectlCommand,
  type KubectlPlan,
  type KubectlTarget,
  type ReleaseCommands,
} from './kubectl.js';
export {
  analysisLimits,
  manifestYaml,
  renderManifests,
  resolveImage,
  secretVariables,
  type KubernetesManifests,
  type ManifestOptions,
  type RolloutMode,
  type Slot,
} from './manifests.js';
export { judge, queryPrometheus, runAnalysis, type AnalysisResult, type AnalysisSettings } from './prometheus.js';
