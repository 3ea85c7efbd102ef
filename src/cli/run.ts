import './no-engine-check.js';
// Before anything that colours is loaded: oclif's help reads the variables as it is imported.
import './color-env.js';
import { execute } from '@oclif/core/execute';

await execute({ dir: import.meta.url });
