// The model tiers of the spec (models.tiers), built from the configuration, for every task: each local tier is the
// task's own (src/task/), each http tier the one OpenAI-compatible client (./http.ts), told by the task what to ask.
import type { Config, TierConfig } from '../config/index.js';
import { createHttpTier, type HttpProtocol } from './http.js';
import type { ModelTier } from './tier.js';

/** What a task asks of its http tiers: a choice among labels (classify), or its own protocol (rag, extract). */
export type HttpTask = { labels: string[]; protocol?: undefined } | { labels?: undefined; protocol: HttpProtocol };

/** The http tier of a models.tiers[] entry. */
export function httpTierOf(tier: TierConfig, task: HttpTask): ModelTier {
  return createHttpTier({
    name: tier.name,
    model: tier.model,
    costPerRequestUsd: tier.costPerRequestUsd,
    baseUrl: tier.baseUrl!,
    ...(tier.apiKey === undefined ? {} : { apiKey: tier.apiKey }),
    labels: task.labels ?? [],
    ...(task.protocol === undefined ? {} : { protocol: task.protocol }),
  });
}

/** The tiers of the configuration, in its order: each local tier made by `local`, each http tier by httpTierOf. */
export function createTiers(config: Config, local: (tier: TierConfig) => ModelTier, http: HttpTask): ModelTier[] {
  return config.tiers.map((tier) => (tier.kind === 'local' ? local(tier) : httpTierOf(tier, http)));
}
