/** The one question `walk` asks before each step: run the next stage's command? Yes by default. */
import { createPrompter, type PromptStreams } from './prompts.js';

export function createWalkConfirm(streams: PromptStreams = {}): (message: string) => Promise<boolean> {
  const prompter = createPrompter(streams);
  return (message) => prompter.confirm({ message, default: true });
}
