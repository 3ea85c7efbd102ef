/**
 * `shipshape walk`: show the status, offer to run the next stage's command, run it, and again,
 * until the user says no, every stage is done, or the next command is yet to come. Everything
 * that touches the terminal or a process is injected, so the loop is tested with fakes.
 */
import type { NextCommand, ProjectStatus } from './status.js';

export interface WalkDeps {
  status(): Promise<ProjectStatus>;
  show(status: ProjectStatus): void;
  say(text: string): void;
  confirm(message: string): Promise<boolean>;
  /** Runs `shipshape <command> <args>` in the project root; resolves to its exit code. */
  run(command: string, args: readonly string[], cwd: string): Promise<number>;
}

export type WalkStop = 'all-done' | 'coming' | 'declined' | 'manual' | 'failed' | 'no-progress';

export interface WalkRun {
  command: string;
  args: string[];
  exitCode: number;
}

export interface WalkResult {
  stopped: WalkStop;
  ran: WalkRun[];
  status: ProjectStatus;
}

/** A key that changes when a step made progress: another next stage, or the same one in another state. */
const progressKey = (status: ProjectStatus): string => {
  const next = status.next;
  if (!next) return 'done';
  return `${next.stage}:${status.stages.find((s) => s.number === next.stage)?.state}:${next.line}`;
};

const stageName = (next: NextCommand) => `stage ${next.stage} (${next.title})`;

export async function walk(deps: WalkDeps): Promise<WalkResult> {
  const ran: WalkRun[] = [];
  let status = await deps.status();
  deps.show(status);
  for (;;) {
    const next = status.next;
    if (!next) {
      deps.say('All eight stages are done. The next cycle starts from the review backlog: edit shipshape.yaml and walk again.');
      return { stopped: 'all-done', ran, status };
    }
    const stage = status.stages.find((s) => s.number === next.stage)!;
    if (!next.available) {
      deps.say(
        `Next is ${stageName(next)}: \`${next.line}\` is coming in a later release. It will leave ${stage.leaves}. Done when: ${stage.proof}`,
      );
      return { stopped: 'coming', ran, status };
    }
    const question = next.manual
      ? `${stageName(next)} needs an edit by hand (${next.why ?? 'see the evidence above'}). Run \`${next.line}\` to see what to fix?`
      : `Run \`${next.line}\` for ${stageName(next)}?`;
    if (!(await deps.confirm(question))) {
      deps.say('Stopped. Run `shipshape walk` again to go on from here.');
      return { stopped: 'declined', ran, status };
    }

    const before = progressKey(status);
    const exitCode = await deps.run(next.command, next.args, status.root);
    ran.push({ command: next.command, args: [...next.args], exitCode });
    if (next.manual) {
      deps.say(`Fix ${next.why ? next.why.replace(/^fix /, '') : 'what it lists'}, then run \`shipshape walk\` again.`);
      return { stopped: 'manual', ran, status };
    }
    status = await deps.status();
    deps.show(status);
    if (exitCode !== 0) {
      deps.say(`\`${next.line}\` exited with code ${exitCode}; stopping here.`);
      return { stopped: 'failed', ran, status };
    }
    if (progressKey(status) === before) {
      // Running the same command again would only repeat what just happened.
      deps.say(`\`${next.line}\` finished, but ${stageName(next)} is still ${stage.state.replace('-', ' ')}; see the evidence above.`);
      return { stopped: 'no-progress', ran, status };
    }
  }
}
