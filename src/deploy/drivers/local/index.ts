import { existsSync } from 'node:fs';
/**
 * The local driver (the default; no cluster): each release a built copy of the project, blue and
 * green as child processes on their own ports, and a weighted reverse proxy on the service's
 * port in front of them.
 */
import type { Driver, DriverContext, DriverFactory, Health, MetricsWindow, Release } from '../../driver.js';
import { buildRelease, pickVersion } from './release.js';
import { specVariables, startVersion, waitReady, type VersionProcess } from './process.js';
import { startProxy, type WeightedProxy } from './proxy.js';
import { scrapeGauges } from './scrape.js';

/** How long a version may take to answer /readyz after it starts. */
const READY_TIMEOUT_MS = 60_000;
/** Readiness checks that must fail in a row before green counts as unready (one slow answer under load is not). */
const UNREADY_AFTER = 2;

export const createLocalDriver: DriverFactory = (context: DriverContext): Driver => new LocalDriver(context);

class LocalDriver implements Driver {
  readonly kind = 'local' as const;
  private proxy: WeightedProxy | undefined;
  private blue: VersionProcess | undefined;
  private green: VersionProcess | undefined;
  private unready = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly businessNames: string[];
  private readonly variables: string[];

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

  private async launch(release: Release, role: 'blue' | 'green', signal?: AbortSignal): Promise<VersionProcess> {
    const version = await startVersion({ dir: release.location, version: release.version, role, variables: this.variables });
    if (version.pid !== undefined) this.context.track?.(version.pid);
    if (role === 'blue') this.blue = version;
    else this.green = version;
    await waitReady(version, READY_TIMEOUT_MS, signal);
    return version;
  }

  async start(plan: { green: Release; blue?: Release; signal?: AbortSignal }): Promise<void> {
    this.proxy = await startProxy({
      ...(this.context.port === undefined ? {} : { port: this.context.port }),
      ...(this.context.drillErrorRate ? { greenErrorRate: this.context.drillErrorRate } : {}),
    });
    if (plan.blue && !existsSync(plan.blue.location)) {
      this.context.log?.(`blue's release ${plan.blue.version} is gone from ${plan.blue.location}: deploying without blue`);
    } else if (plan.blue) {
      const blue = await this.launch(plan.blue, 'blue', plan.signal);
      this.proxy.setUpstream('blue', blue.url);
    }
    const green = await this.launch(plan.green, 'green', plan.signal);
    this.proxy.setWeight(0);
    this.proxy.setUpstream('green', green.url);
  }

  async setWeight(weight: number): Promise<void> {
    this.requireProxy().setWeight(weight);
  }

  async health(): Promise<Health> {
    const green = this.green;
    if (!green) return { ok: false, reason: 'green is not running' };
    const exited = green.exited();
    if (exited) return { ok: false, reason: `green (${green.version}) ${exited}` };
    const check = await green.ready(2000);
    this.unready = check.ok ? 0 : this.unready + 1;
    if (this.unready >= UNREADY_AFTER) return { ok: false, reason: `green (${green.version}) failed its readiness check: ${check.detail}` };
    return { ok: true };
  }

  async metrics(): Promise<MetricsWindow> {
    const taken = this.requireProxy().take();
    const [greenBusiness, blueBusiness] = await Promise.all([
      this.green ? scrapeGauges(this.green.url, this.businessNames) : {},
      this.blue ? scrapeGauges(this.blue.url, this.businessNames) : {},
    ]);
    const withBusiness = <T extends object>(figures: T, business: Record<string, number>) =>
      Object.keys(business).length > 0 ? { ...figures, business } : figures;
    return {
      green: withBusiness(taken.green, greenBusiness),
      ...(this.blue ? { blue: withBusiness(taken.blue, blueBusiness) } : {}),
    };
  }

  async promote(): Promise<void> {
    const proxy = this.requireProxy();
    proxy.setWeight(100);
    const blue = this.blue;
    if (!blue) return;
    const delayMs = (this.context.spec.deploy?.rollback?.scaleDownDelaySeconds ?? 0) * 1000;
    // Blue stays warm for the scale-down delay, then leaves once its requests have finished.
    const retire = async () => {
      proxy.setUpstream('blue', undefined);
      await proxy.drain('blue');
      await blue.stop();
      if (this.blue === blue) this.blue = undefined;
    };
    if (delayMs === 0) return retire();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void retire();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  async rollback(): Promise<void> {
    const proxy = this.proxy;
    const green = this.green;
    if (proxy) {
      proxy.setWeight(0);
      proxy.setUpstream('green', undefined);
      await proxy.drain('green');
    }
    await green?.stop();
  }

  /** When green first failed a request (for the drill); undefined when it never did. */
  firstBadAt(): number | undefined {
    return this.proxy?.firstGreenErrorAt();
  }

  endpoint(): string | undefined {
    return this.proxy?.url;
  }

  async serve(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  async cleanup(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.proxy?.close();
    this.proxy = undefined;
    await Promise.all([this.blue?.stop(), this.green?.stop()]);
    this.blue = undefined;
    this.green = undefined;
  }

  private requireProxy(): WeightedProxy {
    if (!this.proxy) throw new Error('the proxy is not running (start was not called)');
    return this.proxy;
  }
}
