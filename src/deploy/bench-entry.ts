/** What scripts/bench-deploy.js times, bundled as its own entry point (dist/deploy/bench-entry.js). */
export { startProxy } from './drivers/local/proxy.js';
export { runLoad } from '../load/traffic.js';
