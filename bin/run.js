#!/usr/bin/env node
// CommonJS (bin/package.json says so): a start without Node's ESM loader is ~10 ms faster, and
// dist/cli/run.cjs loads the CLI through V8's code cache (src/cli/boot.ts).
require('../dist/cli/run.cjs');
