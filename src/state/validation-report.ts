/**
 * `.shipshape/reports/validation.json`: the one shape of a validation report, written by `validate` and read by
 * `status` (src/stages/records.ts). A dated copy (`validation-<timestamp>.json`) is kept beside it for history.
 */
import * as z from 'zod';

export const VALIDATION_REPORT_VERSION = 1;

/**
 * The schemas, built on first use: `check` and `status` load this module for every spec, and most
 * projects have no report to read.
 */
function buildSchemas() {
  const verdictSchema = z.object({
    name: z.string(),
    expected: z.string(),
    measured: z.string(),
    passed: z.boolean(),
    wallClock: z.boolean(),
    message: z.string().optional(),
  });

  const measuredSchema = z.object({
    requests: z.number(),
    availability: z.number(),
    /** Added after version 1's first reports: absent in older ones. */
    shedPercent: z.number().optional(),
    admittedAvailability: z.number().optional(),
    errorRatePercent: z.number(),
    fallbackRate: z.number(),
    p50Ms: z.number(),
    p95Ms: z.number(),
    p99Ms: z.number(),
    breakerOpenedAfterSeconds: z.number().optional(),
    recoveredAfterSeconds: z.number().optional(),
    /** Requests answered by each tier (x-model-tier), by tier name. */
    tiers: z.record(z.string(), z.number()).optional(),
    /** Answers by HTTP status, and requests without an answer by the reason (TIMEOUT, ECONNRESET...). */
    outcomes: z.record(z.string(), z.number()).optional(),
    /** Each breaker state change seen on /metrics: seconds from the start of the load. */
    breakerTimeline: z.array(z.object({ at: z.number(), tier: z.string(), state: z.string() })).optional(),
    /** Whether /metrics answered: without it, the breaker expectations cannot be judged. */
    metricsAvailable: z.boolean().optional(),
    /** Requests the proxy in front of the target received, and those it faulted. */
    proxy: z.object({ requests: z.number(), faulted: z.number() }).optional(),
  });

  const scenarioReportSchema = z.object({
    id: z.string(),
    passed: z.boolean(),
    /** Seconds the load actually ran for: the spec's durationSeconds times durationScale. */
    durationSeconds: z.number().optional(),
    rps: z.number().optional(),
    fault: z.record(z.string(), z.unknown()).optional(),
    measured: measuredSchema.optional(),
    /** The same load without the fault, with --baseline. */
    baseline: measuredSchema.optional(),
    verdicts: z.array(verdictSchema).optional(),
  });

  const validationReportSchema = z.object({
    version: z.literal(VALIDATION_REPORT_VERSION).optional(),
    /** specHash of the spec the scenarios ran from. */
    specHash: z.string({ error: 'has no "specHash"' }).min(1, { error: 'has no "specHash"' }),
    /** Every scenario run passed. Stage 5 is done only when `complete` too. */
    passed: z.boolean({ error: 'has no "passed" true or false' }),
    /** Every scenario of the spec ran, at full duration: a run with --scenario or --duration-scale is not complete. */
    complete: z.boolean().optional(),
    /** 1 at full duration; below 1 when the run was shortened with --duration-scale. */
    durationScale: z.number().optional(),
    /** ISO 8601. */
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    /** The service under test: the start command, or the URL given. */
    service: z.string().optional(),
    scenarios: z.array(scenarioReportSchema).default([]),
  });

  /**
   * The schema as status reads it: a scenario entry that is not as written (a hand edit, an older shipshape) is kept by
   * its id and whether it passed, and entries that are not objects are skipped, rather than failing the whole file.
   */
  const lenientValidationReportSchema = validationReportSchema.extend({
    scenarios: z
      .array(z.unknown())
      .default([])
      .transform((entries) =>
        entries.flatMap((entry): z.infer<typeof scenarioReportSchema>[] => {
          if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return [];
          const parsed = scenarioReportSchema.safeParse(entry);
          if (parsed.success) return [parsed.data];
          const { id, passed } = entry as Record<string, unknown>;
          return [{ id: String(id ?? '?'), passed: passed === true }];
        }),
      ),
  });
  return { measuredSchema, scenarioReportSchema, validationReportSchema, lenientValidationReportSchema };
}
type Schemas = ReturnType<typeof buildSchemas>;
let built: Schemas | undefined;
export const reportSchemas = (): Schemas => (built ??= buildSchemas());

export type ValidationReport = z.infer<Schemas['validationReportSchema']>;
export type ScenarioReport = z.infer<Schemas['scenarioReportSchema']>;
export type ScenarioMeasured = z.infer<Schemas['measuredSchema']>;
