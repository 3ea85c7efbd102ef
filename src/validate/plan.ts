/** What a validation run will do, worked out from the spec and the options before anything starts. */
import { UserError } from '../errors.js';
import type { Scenario, Spec } from '../spec/schema.js';
import type { Fault } from './faults/index.js';

export interface TierPlan {
  name: string;
  /** The environment variable the spec's `${VAR}` endpoint names: validate sets it to the proxy's URL. */
  endpointVariable: string;
  apiKeyVariable?: string;
  /** The real upstream behind the proxy (--upstream NAME=URL); undefined: the mock model. */
  upstream?: string;
}

export interface ScenarioPlan {
  id: string;
  rps: number;
  /** The spec's durationSeconds times the scale. */
  durationSeconds: number;
  /**
   * A shortened run that judges recovery: the load goes on past durationSeconds, until the breaker has closed again or
   * this many seconds have passed (the fault's scaled end plus recoversWithinSeconds, unscaled: the breaker's half-open
   * wait is real time). Undefined otherwise.
   */
  untilRecoveredSeconds?: number;
  /** The fault with its after and for scaled; undefined for a load-only scenario. */
  fault?: Fault;
  expect: Scenario['expect'];
}

export interface ValidationPlan {
  tiers: TierPlan[];
  scenarios: ScenarioPlan[];
  durationScale: number;
  /** Every scenario of the spec, at full duration: only such a run can complete stage 5. */
  complete: boolean;
}

const VARIABLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export interface PlanOptions {
  scenario?: string;
  durationScale?: number;
  upstreams?: Record<string, string>;
  /** The service runs already (--url): validate cannot point its tiers at the proxy. */
  external?: boolean;
}

export function planValidation(spec: Spec, options: PlanOptions = {}): ValidationPlan {
  const scale = options.durationScale ?? 1;
  if (!(scale > 0 && scale <= 1))
    throw new UserError(`--duration-scale ${scale} is not within 0 (excluded) and 1`, {
      hint: 'Try --duration-scale 0.2 for a fifth of each scenario.',
    });
  const all = spec.scenarios ?? [];
  if (all.length === 0)
    throw new UserError('the spec has no scenarios to validate', {
      hint: 'Run `shipshape design` to add the default scenarios, or write scenarios: by hand.',
    });
  const chosen = options.scenario === undefined ? all : all.filter((scenario) => scenario.id === options.scenario);
  if (chosen.length === 0)
    throw new UserError(`no scenario "${options.scenario}" in the spec`, {
      hint: `The scenarios are ${all.map((scenario) => scenario.id).join(', ')}.`,
    });

  const tiers: TierPlan[] = [];
  const upstreams = options.upstreams ?? {};
  for (const tier of spec.models?.tiers ?? []) {
    if (tier.kind !== 'http') continue;
    const variable = VARIABLE.exec(tier.endpoint ?? '')?.[1];
    if (variable === undefined)
      throw new UserError(`tier ${tier.name} has the endpoint ${JSON.stringify(tier.endpoint ?? '')}, not a \${VARIABLE} reference`, {
        hint: 'validate points each http tier at its proxy through the environment variable its endpoint names.',
      });
    const key = VARIABLE.exec(tier.apiKey ?? '')?.[1];
    tiers.push({
      name: tier.name,
      endpointVariable: variable,
      ...(key ? { apiKeyVariable: key } : {}),
      ...(upstreams[tier.name] ? { upstream: upstreams[tier.name] } : {}),
    });
  }
  for (const name of Object.keys(upstreams))
    if (!tiers.some((tier) => tier.name === name))
      throw new UserError(`--upstream ${name}=... names no http tier of the spec`, {
        hint: `The http tiers are ${tiers.map((tier) => tier.name).join(', ') || 'none'}.`,
      });

  const scenarios = chosen.map((scenario): ScenarioPlan => {
    const fault = scenario.fault;
    if (fault && !tiers.some((tier) => tier.name === fault.target)) {
      const local = spec.models?.tiers.some((tier) => tier.name === fault.target);
      throw new UserError(
        `scenario ${scenario.id} faults ${local ? `the local tier ${fault.target}` : `"${fault.target}", which is not a tier`}: validate injects faults into http tiers, over the network`,
        { hint: "Target an http tier (the project's own tests fault local tiers in process)." },
      );
    }
    if (fault && options.external)
      throw new UserError(
        `scenario ${scenario.id} injects a fault, and with --url validate cannot point the service's tiers at its proxy`,
        {
          hint: 'Let validate start the service (drop --url, or pass --start CMD), or run only load-only scenarios with --url.',
        },
      );
    const scaled: Fault | undefined = fault
      ? {
          ...fault,
          ...(fault.after === undefined ? {} : { after: fault.after * scale }),
          ...(fault.for === undefined ? {} : { for: fault.for * scale }),
        }
      : undefined;
    const durationSeconds = scenario.load.durationSeconds * scale;
    const recovers = scenario.expect.recoversWithinSeconds;
    const recoveryEnd = scaled?.for === undefined || recovers === undefined ? undefined : (scaled.after ?? 0) + scaled.for + recovers;
    return {
      id: scenario.id,
      rps: scenario.load.rps,
      durationSeconds,
      ...(recoveryEnd !== undefined && recoveryEnd > durationSeconds ? { untilRecoveredSeconds: recoveryEnd } : {}),
      ...(scaled ? { fault: scaled } : {}),
      expect: scenario.expect,
    };
  });
  return { tiers, scenarios, durationScale: scale, complete: scale === 1 && chosen.length === all.length };
}

/** `NAME=URL` pairs of --upstream, as a map; throws on a malformed one. */
export function parseUpstreams(values: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    const name = value.slice(0, at);
    const url = value.slice(at + 1);
    if (at <= 0 || !/^http:\/\/\S+$/.test(url))
      throw new UserError(`--upstream ${value} is not NAME=URL`, {
        hint: 'Write the tier name and its http URL, e.g. --upstream strong=http://127.0.0.1:8099/v1.',
      });
    map[name] = url;
  }
  return map;
}
