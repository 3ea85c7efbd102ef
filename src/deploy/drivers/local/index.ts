/**
 * The local driver (the default; no cluster): each release a built copy of the project, run by
 * the project's supervisor (runtime.ts, supervisor.ts), a detached process that owns the
 * weighted proxy on the service's port and the version processes behind it, so the service, and
 * the previous release kept warm for `rollback.scaleDownDelaySeconds`, outlive the deploy
 * command. The driver drives the supervisor over its control port.
 */
import { existsSync } from 'node:fs';
import type { Driver, DriverContext, DriverFactory, Health, MetricsWindow, Release } from '../../driver.js';
import type { VersionMetrics } from '../../../state/deployments.js';
import { buildRelease, pickVersion } from './release.js';
import { packCommands } from '../../../scaffold/pack-commands.js';
import { specVariables } from './process.js';
import { control, ensureRuntime, type RuntimeState, type RuntimeVersion } from './runtime.js';
import { scrapeGauges } from './scrape.js';

/** How long a version may take to answer /readyz after it starts. */
const READY_TIMEOUT_MS = 60_000;
/** Readiness checks that must fail in a row before green counts as unready (one slow answer under load is not). */
const UNREADY_AFTER = 2;

export const createLocalDriver: DriverFactory = (context: DriverContext): Driver => new LocalDriver(context);

/** What the supervisor started, or reused (a release still warm, or already live). */
type Launched = { reused?: 'warm' | 'live'; version: RuntimeVersion };

class LocalDriver implements Driver {
  readonly kind = 'local' as const;
  private runtime: RuntimeState | undefined;
  private blue: RuntimeVersion | undefined;
  private green: RuntimeVersion | undefined;
  /** Green runs and is neither promoted nor rolled back: cleanup takes its traffic away. */
  private rolling = false;
  private unready = 0;
  private firstBad: number | undefined;
  private readonly businessNames: string[];
  private readonly variables: string[];
  private packEnv: Record<string, string> = {};

  constructor(private readonly context: DriverContext) {
    this.businessNames = (context.spec.deploy?.analysis?.metrics ?? []).flatMap((m) =>
      m.name === 'business' && m.metric ? [m.metric] : [],
    );
    this.variables = specVariables(context.specText);
  }

  async prepare(options: { version?: string; signal?: AbortSignal }): Promise<Release> {
    const version = await pickVersion({
      root: this.context.root,
      specHash: this.context.specHash,
      known: this.context.knownVersions,
      ...(options.version === undefined ? {} : { given: options.version }),
    });
    this.context.log?.(`building release ${version} in .shipshape/releases/${version}`);
    return buildRelease(this.context.root, version, options.signal);
  }

  /**
   * The environment a version gets: the pack's variables (service-ts: no SIGTERM linger, as only this driver's proxy
   * talks to a version, and it stops routing to one before stopping it), then those the spec's `${VAR}`s name, from
   * this process.
   */
  private env(): Record<string, string> {
    return {
      ...this.packEnv,
      ...Object.fromEntries(this.variables.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]]))),
    };
  }

  private async op<T = RuntimeState>(request: Parameters<typeof control>[1]): Promise<T> {
    if (!this.runtime) throw new Error('the local supervisor is not running (start was not called)');
    return control<T>(this.runtime, request);
  }

  private async launch(release: Release, role: 'live' | 'green', signal?: AbortSignal): Promise<Launched> {
    if (signal?.aborted) throw new Error('interrupted');
    const launched = await this.op<Launched>({
      op: 'launch',
      role,
      version: release.version,
      location: release.location,
      env: this.env(),
      readyTimeoutMs: READY_TIMEOUT_MS,
      ...(role === 'green' && this.context.drillErrorRate ? { drillErrorRate: this.context.drillErrorRate } : {}),
    });
    if (signal?.aborted) throw new Error('interrupted');
    return launched;
  }

  async start(plan: { green: Release; blue?: Release; signal?: AbortSignal }): Promise<void> {
    this.packEnv = (await packCommands(this.context.root)).env ?? {};
    this.runtime = await ensureRuntime(this.context.root, {
      ...(this.context.port === undefined ? {} : { port: this.context.port }),
      ...(this.context.log ? { log: this.context.log } : {}),
      ...(plan.signal ? { signal: plan.signal } : {}),
    });
    const runtime = await this.op({ op: 'attach', owner: process.pid });
    this.runtime = runtime;
    if (this.context.drillErrorRate) this.context.log?.(`drill: the proxy fails ${this.context.drillErrorRate * 100}% of green's requests`);
    const blueDown = runtime.live?.restarts?.gaveUp === true;
    if (plan.blue && (runtime.live?.version !== plan.blue.version || blueDown)) {
      if (!existsSync(plan.blue.location)) {
        this.context.log?.(`blue's release ${plan.blue.version} is gone from ${plan.blue.location}: deploying without blue`);
      } else {
        this.context.log?.(
          `blue (${plan.blue.version}) is not running (${blueDown ? 'it stayed down after its restarts' : runtime.live ? `${runtime.live.version} runs instead` : 'the local service was stopped'}): starting it cold`,
        );
        this.blue = (await this.launch(plan.blue, 'live', plan.signal)).version;
      }
    } else this.blue = runtime.live;
    this.rolling = true;
    this.green = (await this.launch(plan.green, 'green', plan.signal)).version;
  }

  async setWeight(weight: number): Promise<void> {
    await this.op({ op: 'weight', weight });
  }

  async health(): Promise<Health> {
    const check = await this.op<{ ok: boolean; exited?: boolean; detail: string; firstGreenErrorAt?: number }>({ op: 'health' });
    this.firstBad ??= check.firstGreenErrorAt;
    const version = this.green?.version ?? '?';
    if (check.exited) return { ok: false, reason: `green (${version}) ${check.detail}` };
    this.unready = check.ok ? 0 : this.unready + 1;
    if (this.unready >= UNREADY_AFTER) return { ok: false, reason: `green (${version}) failed its readiness check: ${check.detail}` };
    return { ok: true };
  }

  async metrics(): Promise<MetricsWindow> {
    const taken = await this.op<{ windows: Record<'blue' | 'green', VersionMetrics>; firstGreenErrorAt?: number }>({ op: 'take' });
    this.firstBad ??= taken.firstGreenErrorAt;
    const [greenBusiness, blueBusiness] = await Promise.all([
      this.green ? scrapeGauges(this.green.url, this.businessNames) : {},
      this.blue ? scrapeGauges(this.blue.url, this.businessNames) : {},
    ]);
    const withBusiness = <T extends object>(figures: T, business: Record<string, number>) =>
      Object.keys(business).length > 0 ? { ...figures, business } : figures;
    return {
      green: withBusiness(taken.windows.green, greenBusiness),
      ...(this.blue ? { blue: withBusiness(taken.windows.blue, blueBusiness) } : {}),
    };
  }

  async promote(): Promise<void> {
    const warmMs = (this.context.spec.deploy?.rollback?.scaleDownDelaySeconds ?? 0) * 1000;
    this.runtime = await this.op({ op: 'promote', warmMs });
    this.rolling = false;
  }

  async rollback(): Promise<void> {
    if (!this.runtime) return;
    const back = await this.op<RuntimeState & { firstGreenErrorAt?: number }>({ op: 'rollback' });
    this.firstBad ??= back.firstGreenErrorAt;
    this.runtime = back;
    this.rolling = false;
  }

  /** When green first failed a request (for the drill); undefined when it never did. */
  firstBadAt(): number | undefined {
    return this.firstBad;
  }

  endpoint(): string | undefined {
    return this.runtime?.url;
  }

  /** `--serve`: the command stays until Ctrl-C, then stops the local service. */
  async serve(signal: AbortSignal): Promise<void> {
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    if (this.runtime) await this.op({ op: 'stop' }).catch(() => {});
    this.runtime = undefined;
  }

  /** Takes traffic off a green left mid-rollout, then lets go of the supervisor: what serves keeps serving. */
  async cleanup(): Promise<void> {
    if (!this.runtime) return;
    if (this.rolling) await this.rollback().catch(() => {});
    await this.op({ op: 'detach' }).catch(() => {});
    this.runtime = undefined;
  }
}
