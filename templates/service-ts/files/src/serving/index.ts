// The model tiers of the spec (models.tiers), built from the configuration.
import type { Config } from '../config/index.js';
import type { Example } from './examples.js';
import { createHttpTier } from './http.js';
import { createLocalTier } from './local.js';
import type { ModelTier } from './tier.js';

/** The labels every tier answers with: those of the labelled examples, in first-seen order. */
export function labelsOf(examples: readonly Example[]): string[] {
  return [...new Set(examples.map((example) => example.label))];
}

export function createTiers(config: Config, examples: Example[]): ModelTier[] {
  const labels = labelsOf(examples);
  return config.tiers.map((tier) =>
    tier.kind === 'local'
      ? createLocalTier({ name: tier.name, model: tier.model, costPerRequestUsd: tier.costPerRequestUsd, examples })
      : createHttpTier({
          name: tier.name,
          model: tier.model,
          costPerRequestUsd: tier.costPerRequestUsd,
          baseUrl: tier.baseUrl!,
          ...(tier.apiKey === undefined ? {} : { apiKey: tier.apiKey }),
          labels,
        }),
  );
}
