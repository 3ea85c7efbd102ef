/**
 * The questions `review` asks when neither --prometheus nor --metrics is given, on a terminal:
 * one number per value, an empty answer for "not measured".
 */
import type { AskNumber } from '../review/sources/index.js';
import { createPrompter, type PromptStreams } from './prompts.js';

export function createNumberAsker(streams: PromptStreams = {}): AskNumber {
  const prompter = createPrompter(streams);
  return async ({ message }) => {
    const answer = await prompter.text({
      message: `${message} (empty: not measured)`,
      validate: (value: string) => value.trim() === '' || Number.isFinite(Number(value)) || 'Enter a number, or nothing',
    });
    return answer.trim() === '' ? undefined : Number(answer);
  };
}
