import type { FaultHandler, UpstreamAnswer } from './types.js';

/**
 * A 200 whose body is not what the caller asked for, in turn: JSON cut short (invalid), and valid JSON of the wrong
 * shape. For a chat completion, the message content is what goes wrong (prose, cut JSON, JSON without the fields), as a
 * model's answer would; for any other JSON body, the body itself.
 */
export const malformed: FaultHandler = {
  summary: 'a 200 that is invalid JSON or valid JSON of the wrong shape',
  async handle({ fetch, res, count }) {
    const answer = await fetch();
    if (answer === undefined || res.destroyed) return;
    const text = answer.body.toString('utf8');
    const body = rewrite(text, count);
    const headers: UpstreamAnswer['headers'] = { ...answer.headers, 'content-length': String(Buffer.byteLength(body)) };
    delete headers['transfer-encoding'];
    res.writeHead(answer.status, headers);
    res.end(body);
  },
};

function rewrite(text: string, count: number): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const choices = (parsed as { choices?: { message?: { content?: unknown } }[] } | undefined)?.choices;
  const message = Array.isArray(choices) ? choices[0]?.message : undefined;
  if (message && typeof message.content === 'string') {
    const content = message.content;
    message.content = [
      `{"unexpected": true, "answer": ${JSON.stringify(content.slice(0, 40))}}`,
      'Sure! Here is what I think about this message, in a few words of prose rather than JSON.',
      content.slice(0, Math.max(1, Math.floor(content.length / 2))),
    ][count % 3]!;
    return JSON.stringify(parsed);
  }
  return count % 2 === 0 ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : JSON.stringify({ unexpected: true });
}
