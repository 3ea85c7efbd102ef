import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { recommend } from '../../src/design/recommend.js';
import { InterruptedError } from '../../src/errors.js';
import { createDesignChooser } from '../../src/ui/design-prompts.js';
import { stageOne } from './helpers.js';

const { recommended } = recommend(stageOne());

/** Drives the real checkbox prompt: each key is typed once the prompt has drawn itself. */
async function answer(keys: string[]) {
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  output.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  const choose = createDesignChooser({ input, output });
  const pending = choose(recommended);
  for (const key of keys) {
    await new Promise((done) => setTimeout(done, 20));
    input.write(key);
  }
  return { result: await pending, screen: () => screen };
}

describe('createDesignChooser', () => {
  it('offers every recommendation checked, with its failure modes', async () => {
    const { result, screen } = await answer(['\r']);
    expect(result).toEqual(recommended.map((choice) => choice.pattern));
    expect(screen()).toContain('circuit-breaker for llm-outage, llm-slow');
  });

  it('lets the user uncheck one', async () => {
    const { result } = await answer([' ', '\r']);
    expect(result).toEqual(recommended.slice(1).map((choice) => choice.pattern));
  });

  it('turns Ctrl-C into an interruption', async () => {
    await expect(answer(['\u0003'])).rejects.toBeInstanceOf(InterruptedError);
  });
});
