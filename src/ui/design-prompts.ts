/**
 * The one question `design` asks: which recommended patterns to take, all checked to start with.
 */
import type { Chooser } from '../design/run.js';
import { createPrompter, type PromptStreams } from './prompts.js';

export function createDesignChooser(streams: PromptStreams = {}): Chooser {
  const prompter = createPrompter(streams);
  return (recommended) =>
    prompter.checkbox({
      message: 'Patterns to add to architecture.patterns (space toggles, enter accepts)',
      choices: recommended.map((choice) => ({
        value: choice.pattern,
        name: `${choice.pattern} for ${choice.addresses.join(', ')}`,
        description: choice.reason,
        checked: true,
      })),
    });
}
