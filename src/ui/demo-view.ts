/** `demo`'s progress: a listr2 task per stage, its title the stage, its output the command running, its timer. */
import { Listr, PRESET_TIMER } from 'listr2';
import type { DemoStage } from '../demo/stages.js';
import { listrOptions } from './tasks.js';

export interface StageOutcome {
  id: string;
  title: string;
  summary: string;
  seconds: number;
}

export interface DemoOutcome {
  stages: StageOutcome[];
  /** The stage that threw, and what it threw; the stages after it did not run. */
  failed?: { id: string; title: string; error: unknown };
}

/** Runs the stages in order under one task list; stops at the first that fails. */
export async function runDemoStages(
  stages: readonly DemoStage[],
  options: { json: boolean; verbose?: boolean },
  commandLine: { current?: (line: string) => void },
): Promise<DemoOutcome> {
  const outcome: DemoOutcome = { stages: [] };
  const base = listrOptions(options);
  const listr = new Listr(
    stages.map((stage) => ({
      // The summary stays under the stage once it is done; while it runs, the line is the command running.
      rendererOptions: { persistentOutput: true },
      title: stage.id === 'end' ? stage.title : `${stage.id.includes('-') ? 'Stages' : 'Stage'} ${stage.id}: ${stage.title}`,
      task: async (_ctx: unknown, task: { title: string; output: string }) => {
        const started = performance.now();
        commandLine.current = (line) => (task.output = `$ ${line}`);
        try {
          const summary = await stage.run();
          outcome.stages.push({ id: stage.id, title: stage.title, summary, seconds: (performance.now() - started) / 1000 });
          task.output = summary;
        } catch (error) {
          outcome.failed = { id: stage.id, title: stage.title, error };
          throw error;
        }
      },
    })),
    {
      ...base,
      exitOnError: true,
      rendererOptions: { ...base.rendererOptions, timer: PRESET_TIMER },
      fallbackRendererOptions: { ...base.fallbackRendererOptions, timer: PRESET_TIMER },
    },
  );
  await listr.run().catch(() => undefined);
  return outcome;
}
