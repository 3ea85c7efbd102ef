// The service's entry point: configuration from the spec and the environment, the tiers, the
// HTTP server, and a graceful shutdown on SIGTERM (what Kubernetes and `docker stop` send) or
// SIGINT.
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/index.js';
import { OutputChecks } from './monitoring/checks.js';
import { createLogger } from './monitoring/logger.js';
import { checkStatic, createTaskTiers } from './task/index.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ level: config.logLevel, service: config.service.name, version: config.service.version });
  // The static fallback answers in the task's shape, or the service does not start.
  const fields = config.resilience.fallback?.static?.fields;
  const problem = fields === undefined ? undefined : checkStatic(fields, config);
  if (problem !== undefined) {
    process.stderr.write(`error: ${problem}\n`);
    process.exit(2);
  }
  const checks = new OutputChecks();
  const app = createApp({ config, tiers: createTaskTiers(config, checks), logger, checks });
  const address = await app.listen();
  logger.info({ port: address.port, host: address.address, tiers: config.tiers.map((tier) => `${tier.name} (${tier.kind})`) }, 'listening');

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
    app.close().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
