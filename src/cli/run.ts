import './no-engine-check.js';
import { execute } from '@oclif/core/execute';

await execute({ dir: import.meta.url });
