/**
 * The one place that picks listr2's renderer (STYLE.md 9): the live one on a terminal, plain lines under CI, without a
 * terminal or with --verbose, nothing under --json. Progress always goes to standard error.
 */
import { ListrLogger, ProcessOutput, type ListrBaseClassOptions } from 'listr2';

export type RendererChoice = 'default' | 'simple' | 'silent';

export function pickRenderer(options: { json: boolean; verbose?: boolean }): RendererChoice {
  if (options.json) return 'silent';
  if (options.verbose || process.env['CI'] === 'true' || process.env['CI'] === '1' || !process.stderr.isTTY) return 'simple';
  return 'default';
}

/** listr2 options for that renderer, writing to standard error, leaving SIGINT to the command. */
export function listrOptions(options: { json: boolean; verbose?: boolean }): ListrBaseClassOptions {
  const renderer = pickRenderer(options);
  const processOutput = new ProcessOutput(process.stderr, process.stderr);
  // The simple renderer writes through its logger, not processOutput: without one of its own it prints to stdout.
  const logger = new ListrLogger({ processOutput });
  // rendererOptions' type follows the renderer's; the renderer is picked at run time.
  return {
    renderer: renderer as 'default',
    fallbackRenderer: 'simple' as const,
    rendererOptions: { processOutput, logger },
    fallbackRendererOptions: { processOutput, logger },
    exitOnError: false,
    registerSignalListeners: false,
    collectErrors: false,
  } as ListrBaseClassOptions;
}
