// The `http` tier: a model behind an OpenAI-compatible chat completions API (OpenAI, vLLM, Ollama, LiteLLM, the dev fake).
// Every way the call can go wrong ends as a TierError, so the orchestration layer counts and routes failures by kind.

import * as z from 'zod';

import { TierError, type ModelTier, type Prediction, type TierFailure } from './tier.js';

/** A models.tiers[] entry of kind `http`, with its environment variables resolved. */
export interface HttpTierOptions {
  name: string;
  model: string;
  costPerRequestUsd: number;
  /** The API base as configured, e.g. `https://api.openai.com/v1`; `/chat/completions` is appended. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`; never logged nor put in an error message. */
  apiKey?: string;
  /** classify: the labels the model must choose from (empty with a protocol). */
  labels: string[];
  /** rag and extract (src/task/): what the model is asked and how its answer is read; classify when absent. */
  protocol?: HttpProtocol;
  /** Replaces the global fetch (tests, proxies). */
  fetch?: typeof fetch;
}

/** A task's conversation with the model: the system prompt, the user message, and how the JSON answer becomes a Prediction. */
export interface HttpProtocol {
  systemPrompt: string;
  /** The user message for normalised `text` (rag adds the passages it retrieved), and what parse needs to check the answer. */
  user(text: string, signal: AbortSignal): Promise<{ content: string; context?: unknown }>;
  /** The model's JSON answer as a Prediction; throws an Error saying what is wrong with an answer that is not one. */
  parse(json: unknown, context: unknown): Prediction;
}

/** How much of a response body or answer goes into an error message. */
const EXCERPT_CHARS = 200;

// Only the fields the tier reads; other fields (id, usage, logprobs…) vary between providers and are let through.
const ChatCompletion = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
});

const Answer = z.object({
  label: z.string(),
  confidence: z.number().min(0).max(1),
  // A blank reply is no reply; some models leave the field out when told it may be null.
  reply: z
    .string()
    .nullish()
    .transform((reply) => (reply?.trim() ? reply : null)),
});

/**
 * The system prompt of the `http` tier. The `Labels:` line holds the labels as a JSON array, so a label with a comma
 * or a space stays one label for whoever reads it back (the dev fake does).
 */
export function buildSystemPrompt(labels: readonly string[]): string {
  return [
    'You classify the user message into exactly one of the labels below.',
    `Labels: ${JSON.stringify(labels)}`,
    'Answer with only a JSON object, no other text, in this form:',
    '{"label": <one of the labels, spelled exactly as listed>, "confidence": <a number from 0 to 1>, "reply": <a short draft reply to the message, or null>}',
  ].join('\n');
}

/** Creates the tier that classifies through an OpenAI-compatible `POST {baseUrl}/chat/completions`. */
export function createHttpTier(options: HttpTierOptions): ModelTier {
  const { name, model, costPerRequestUsd, labels, protocol } = options;
  if (labels.length === 0 && !protocol) throw new Error(`tier ${name}: no labels to classify into`);
  const url = completionsUrl(name, options.baseUrl);
  // An env file's trailing newline is the usual way a key goes wrong; an empty key is the same as none.
  const apiKey = options.apiKey?.trim() || undefined;
  // Checked here, because fetch's own complaint about a bad header value quotes the value: the key.
  if (apiKey !== undefined && !/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new Error(`tier ${name}: the API key has characters an HTTP header cannot carry`);
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const labelSet = new Set(labels);
  const systemPrompt = protocol?.systemPrompt ?? buildSystemPrompt(labels);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;

  const redact = (text: string): string => (apiKey === undefined ? text : text.split(apiKey).join('[redacted]'));
  const fail = (failure: TierFailure, detail: string, extra: { status?: number; retryAfterMs?: number; cause?: unknown } = {}): TierError =>
    new TierError(name, failure, `tier ${name}: ${redact(detail)}`, extra);

  // Fetch rejects the same way whether the caller gave up or the connection broke; only the signal tells them apart.
  const transportError = (error: unknown, signal: AbortSignal, stage: string): TierError => {
    if (signal.aborted) return fail('aborted', `aborted ${stage}: ${describe(signal.reason)}`);
    const detail = describe(error);
    // Pass the cause on only when it cannot carry the key into a log.
    const cause = apiKey !== undefined && detail.includes(apiKey) ? undefined : error;
    return fail('network', `${stage} failed: ${detail}`, { cause });
  };

  const parseCompletion = (raw: string, context: unknown): Prediction => {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw fail('invalid-output', `the response is not JSON: ${excerpt(raw)}`);
    }
    const completion = ChatCompletion.safeParse(body);
    if (!completion.success) {
      throw fail('invalid-output', `the response is not a chat completion (${describeIssues(completion.error)}): ${excerpt(raw)}`);
    }
    const choice = completion.data.choices[0];
    if (choice === undefined) throw fail('invalid-output', 'the response has no choices');
    const refusal = choice.message.refusal?.trim();
    if (refusal) throw fail('refusal', `the model refused: ${excerpt(refusal)}`);
    if (choice.finish_reason === 'content_filter') throw fail('refusal', 'the answer was withheld by the content filter');

    const content = choice.message.content ?? '';
    // A JSON answer cut off by the token limit is the usual cause of unparsable content: say so.
    const cutOff = choice.finish_reason === 'length' ? ' (cut off by the token limit)' : '';
    if (content.trim() === '') throw fail('invalid-output', `the answer is empty${cutOff}`);
    const json = parseJsonContent(content);
    if (json === undefined) throw fail('invalid-output', `the answer is not JSON${cutOff}: ${excerpt(content)}`);
    if (protocol) {
      try {
        return protocol.parse(json, context);
      } catch (error) {
        throw fail('invalid-output', `${error instanceof Error ? error.message : String(error)}: ${excerpt(content)}`);
      }
    }
    const answer = Answer.safeParse(json);
    if (!answer.success) {
      throw fail('invalid-output', `the answer does not match the schema (${describeIssues(answer.error)}): ${excerpt(content)}`);
    }
    const { label, confidence, reply } = answer.data;
    if (!labelSet.has(label)) {
      throw fail(
        'invalid-output',
        `the label ${excerpt(JSON.stringify(label))} is not one of ${excerpt(JSON.stringify(labels))}: ${excerpt(content)}`,
      );
    }
    return { label, confidence, reply };
  };

  return {
    name,
    kind: 'http',
    model,
    costPerRequestUsd,
    async predict(text: string, signal: AbortSignal): Promise<Prediction> {
      const user = protocol ? await protocol.user(text, signal) : { content: text };
      const body = JSON.stringify({
        model,
        temperature: 0,
        response_format: { type: 'json_object' },
        messages: [
          { role: 'system', content: systemPrompt },
          { role: 'user', content: user.content },
        ],
      });
      let response: Response;
      try {
        response = await fetchImpl(url, { method: 'POST', headers, body, signal });
      } catch (error) {
        throw transportError(error, signal, 'the request');
      }
      // The signal also covers the body: an upstream that sends headers and then stalls is aborted here.
      let raw: string;
      try {
        raw = await response.text();
      } catch (error) {
        throw transportError(error, signal, 'reading the response');
      }
      if (!response.ok) {
        const retryAfterMs = retryAfter(response.headers.get('retry-after'));
        throw fail('status', `HTTP ${response.status}: ${excerpt(raw)}`, {
          status: response.status,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      return parseCompletion(raw, user.context);
    },
  };
}

/** A Retry-After header (seconds, or an HTTP date) in milliseconds from now; undefined when absent or unreadable. */
export function retryAfter(header: string | null, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function completionsUrl(name: string, baseUrl: string): string {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    // Not quoted: a base URL can carry credentials.
    throw new Error(`tier ${name}: the endpoint is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`tier ${name}: the endpoint is not an http(s) URL`);
  return `${baseUrl.replace(/\/+$/, '')}/chat/completions`;
}

/** The content as JSON, or inside a ```json fence (models add one despite json_object); undefined when neither parses. */
function parseJsonContent(content: string): unknown {
  const attempts = [content];
  const fenced = /```[ \t]*(?:json)?[ \t]*\r?\n?([\s\S]*?)```/i.exec(content);
  if (fenced?.[1] !== undefined) attempts.push(fenced[1]);
  for (const attempt of attempts) {
    try {
      return JSON.parse(attempt) as unknown;
    } catch {
      // Try the next form.
    }
  }
  return undefined;
}

function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

function describeIssues(error: z.ZodError): string {
  return excerpt(error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`).join('; '));
}

/** An error and its causes in one line: fetch's own message ("fetch failed") says nothing without the cause. */
function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(typeof code === 'string' && !current.message.includes(code) ? `${current.message} (${code})` : current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.length > 0 ? parts.join(': ') : 'unknown error';
}
