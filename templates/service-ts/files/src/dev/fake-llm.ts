// An OpenAI-compatible fake upstream for tests, local development and the demo: nobody can reach a hosted model from a
// test, and a real one cannot be told to fail. It answers like the chat completions API and injects the faults of the
// spec's scenarios[].fault on a deterministic share of requests.
//
// As a program: node dist/dev/fake-llm.js [--port 8099] [--host 127.0.0.1] [--seed 1]
//   [--fault-type error|latency|malformed|timeout|reset --fault-rate R [--fault-status S] [--fault-delay-ms D]]
// prints {"url": "http://…/v1"} and serves until SIGINT or SIGTERM.

import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { extractFields } from '../pipeline/fields.js';

/** A fault of the spec's scenarios[].fault, injected on a `rate` share of chat completion requests. */
export interface Fault {
  /**
   * error: answers `status` with an OpenAI-style error body. latency: answers correctly after `delayMs`. malformed: a
   * 200 chat.completion whose content is not the JSON asked for. timeout: never answers. reset: drops the connection.
   */
  type: 'error' | 'latency' | 'malformed' | 'timeout' | 'reset';
  /** 0..1: the share of requests the fault hits. */
  rate: number;
  /** For `error`; 503 when not given. */
  status?: number;
  /** For `latency`; 5000 when not given. */
  delayMs?: number;
}

/** What the fake answers to a text, given the labels it found in the system prompt. */
export type FakeAnswer = (text: string, labels: string[]) => { label: string; confidence: number; reply: string | null };

export interface FakeLlmOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  fault?: Fault | null;
  /** Seeds which requests the fault hits: the same seed and the same requests in the same order hit the same ones. */
  seed?: number;
  /** Replaces the default answer: the label named in the text, else the first label. */
  answer?: FakeAnswer;
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401, as from the real API. */
  apiKey?: string;
}

/** A running fake; `url` is the API base (ending in /v1) to configure as a tier's endpoint. */
export interface FakeLlm {
  readonly url: string;
  /** Replaces the fault for the requests that arrive from now on; null for none. */
  setFault(fault: Fault | null): void;
  /** Chat completion requests received. */
  readonly requests: number;
  /** Of those, the ones a fault hit. */
  readonly faulted: number;
  /** Stops the server, dropping the connections of requests still held by a `latency` or `timeout` fault. */
  close(): Promise<void>;
}

const DEFAULT_ERROR_STATUS = 503;
const DEFAULT_DELAY_MS = 5000;
const DEFAULT_SEED = 1;
const FAKE_MODEL_ID = 'fake-llm';
const MAX_BODY_BYTES = 1024 * 1024;
const FAULT_TYPES: readonly Fault['type'][] = ['error', 'latency', 'malformed', 'timeout', 'reset'];

interface ChatMessage {
  role: string;
  content: string;
}

/** Starts the fake on `host:port` and resolves once it listens. */
export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const host = options.host ?? '127.0.0.1';
  const answer = options.answer ?? defaultAnswer;
  const apiKey = options.apiKey;
  const random = mulberry32(options.seed ?? DEFAULT_SEED);
  let fault = checkFault(options.fault ?? null);
  let requests = 0;
  let faulted = 0;
  const models = new Set<string>([FAKE_MODEL_ID]);
  const timers = new Set<NodeJS.Timeout>();

  const completions = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests++;
    // Drawn on arrival and for every request, fault or not, so that whether the n-th request is hit depends on the
    // seed alone, not on when a fault was set.
    const draw = random();
    const active = fault !== null && draw < fault.rate ? fault : null;
    if (active !== null) faulted++;
    const malformedVariant = faulted;

    const raw = await readBody(req);
    if (raw === undefined) {
      sendError(res, 413, 'The request body is too large.', 'invalid_request_error');
      return;
    }
    if (apiKey !== undefined && req.headers.authorization !== `Bearer ${apiKey}`) {
      const message =
        req.headers.authorization === undefined
          ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
          : 'Incorrect API key provided.';
      sendError(res, 401, message, 'invalid_request_error', null, 'invalid_api_key');
      return;
    }

    if (active?.type === 'error') {
      const status = active.status ?? DEFAULT_ERROR_STATUS;
      sendError(
        res,
        status,
        errorMessageFor(status),
        status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error',
        null,
        null,
        // As the real API: a 429 says when to come back.
        status === 429 ? { 'retry-after': '1' } : {},
      );
      return;
    }
    if (active?.type === 'reset') {
      req.socket.destroy();
      return;
    }
    // Held until the client gives up or close() drops the connection.
    if (active?.type === 'timeout') return;
    if (active?.type === 'latency') {
      const arrived = await delay(active.delayMs ?? DEFAULT_DELAY_MS, res, timers);
      if (!arrived) return;
    }

    const request = parseRequest(raw);
    if (typeof request === 'string') {
      sendError(res, 400, request, 'invalid_request_error');
      return;
    }
    models.add(request.model);
    const labels = findLabels(request.messages);
    const text = lastUserText(request.messages);
    const task = taskOf(request.messages);
    const content =
      active?.type === 'malformed'
        ? malformedContent(malformedVariant, labels, task, text)
        : JSON.stringify(
            task === 'rag' ? ragAnswer(text) : task === 'extract' ? extractAnswer(request.messages, text) : answer(text, labels),
          );
    sendJson(res, 200, completion(request, content));
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      completions(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) sendError(res, 500, `The fake failed: ${String(error)}`, 'server_error');
      });
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      const created = Math.floor(Date.now() / 1000);
      sendJson(res, 200, { object: 'list', data: [...models].map((id) => ({ id, object: 'model', created, owned_by: 'shipshape' })) });
      return;
    }
    // The body is drained so that a keep-alive connection stays usable after the 404.
    req.resume();
    sendError(res, 404, `Invalid URL (${req.method ?? 'GET'} ${path})`, 'invalid_request_error');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/v1`;

  let closing: Promise<void> | undefined;
  return {
    url,
    setFault(next: Fault | null): void {
      fault = checkFault(next);
    },
    get requests(): number {
      return requests;
    },
    get faulted(): number {
      return faulted;
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        // Held requests would keep close() waiting for the client's own timeout.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** The labels of the `Labels:` line of the system prompt (a JSON array, or a comma-separated list). */
export function findLabels(messages: readonly ChatMessage[]): string[] {
  for (const message of messages) {
    if (message.role !== 'system' && message.role !== 'developer') continue;
    const line = /^Labels:[ \t]*(.+)$/im.exec(message.content)?.[1]?.trim();
    if (line === undefined) continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (Array.isArray(parsed) && parsed.every((label) => typeof label === 'string')) return parsed;
    } catch {
      // Not JSON: a plain list.
    }
    return line
      .split(',')
      .map((label) => label.trim())
      .filter((label) => label !== '');
  }
  return [];
}

/** The default answer: the first label named in the text as a whole word (case-insensitive), else the first label. */
export function defaultAnswer(text: string, labels: string[]): { label: string; confidence: number; reply: string | null } {
  const label = labels.find((candidate) => namedIn(text, candidate)) ?? labels[0] ?? 'unknown';
  return {
    label,
    confidence: 0.9,
    reply: `Thanks for your message about ${label.replace(/[-_]+/g, ' ')}. We will get back to you shortly.`,
  };
}

function namedIn(text: string, label: string): boolean {
  const words = label.split(/[\s_-]+/).filter((word) => word !== '');
  if (words.length === 0) return false;
  // "late-delivery" is also named by "late delivery" and "late_delivery".
  const pattern = words.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s_-]+');
  return new RegExp(`(?<![\\p{L}\\p{N}_])${pattern}(?![\\p{L}\\p{N}_])`, 'iu').test(text);
}

/** mulberry32: a tiny seeded PRNG, uniform on [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkFault(fault: Fault | null): Fault | null {
  if (fault === null) return null;
  if (!FAULT_TYPES.includes(fault.type)) throw new RangeError(`unknown fault type ${JSON.stringify(fault.type)}`);
  if (!(fault.rate >= 0 && fault.rate <= 1)) throw new RangeError(`fault rate ${fault.rate} is not within 0..1`);
  if (fault.status !== undefined && !(Number.isInteger(fault.status) && fault.status >= 400 && fault.status <= 599)) {
    throw new RangeError(`fault status ${fault.status} is not an HTTP error status`);
  }
  if (fault.delayMs !== undefined && !(fault.delayMs >= 0 && Number.isFinite(fault.delayMs))) {
    throw new RangeError(`fault delayMs ${fault.delayMs} is not a duration`);
  }
  return { ...fault };
}

/** Resolves true after `ms`, or false as soon as the client goes away or close() clears the timer. */
function delay(ms: number, res: ServerResponse, timers: Set<NodeJS.Timeout>): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      res.off('close', onClose);
      resolve(!res.destroyed);
    }, ms);
    const onClose = (): void => {
      clearTimeout(timer);
      timers.delete(timer);
      resolve(false);
    };
    timers.add(timer);
    res.once('close', onClose);
  });
}

/** The body as text; undefined when it exceeds MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The request, or the message of the 400 the real API would send. */
function parseRequest(raw: string): { model: string; messages: ChatMessage[] } | string {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'The request body must be a JSON object.';
  const { model, messages, response_format: responseFormat } = body as Record<string, unknown>;
  if (typeof model !== 'string' || model === '') return 'you must provide a model parameter';
  if (!Array.isArray(messages) || messages.length === 0) return "Missing required parameter: 'messages'.";
  const parsed: ChatMessage[] = [];
  for (const [index, message] of messages.entries()) {
    if (typeof message !== 'object' || message === null || typeof (message as { role?: unknown }).role !== 'string') {
      return `Invalid value for 'messages[${index}]': expected an object with a role.`;
    }
    const { role, content } = message as { role: string; content?: unknown };
    parsed.push({ role, content: contentText(content) });
  }
  const format = typeof responseFormat === 'object' && responseFormat !== null ? (responseFormat as { type?: unknown }).type : undefined;
  // The real API refuses json_object unless a message asks for JSON; a prompt that stops doing so fails here too.
  if (format === 'json_object' && !parsed.some((message) => /json/i.test(message.content))) {
    return "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.";
  }
  return { model, messages: parsed };
}

/** Message content is a string or an array of parts; the fake reads the text parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) =>
      typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string'
        ? (part as { text: string }).text
        : '',
    )
    .join('');
}

function lastUserText(messages: readonly ChatMessage[]): string {
  return messages.findLast((message) => message.role === 'user')?.content ?? '';
}

/** The task the system prompt names on its `Task:` line (src/rag/writer.ts, src/extract/llm.ts); classify without one. */
export function taskOf(messages: readonly ChatMessage[]): 'classify' | 'rag' | 'extract' {
  const system = messages.find((message) => message.role === 'system')?.content ?? '';
  const named = /^Task: (rag|extract)$/m.exec(system)?.[1];
  return named === 'rag' || named === 'extract' ? named : 'classify';
}

const words = (text: string): Set<string> =>
  new Set(
    [...text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)]
      .map((match) => match[0].replace(/(?<=...)(s|ed|ing)$/, ''))
      .filter((word) => word.length > 2 && !['the', 'and', 'for', 'you', 'your', 'how', 'what', 'can', 'does', 'with'].includes(word)),
  );

/** rag: the sentence of the given passages that shares the most words with the question, citing its passage. */
export function ragAnswer(user: string): { answer: string; citations: string[]; confidence: number } {
  let asked: { question?: string; passages?: { id: string; text: string }[] } = {};
  try {
    asked = JSON.parse(user) as typeof asked;
  } catch {
    // A question without passages.
  }
  const question = words(asked.question ?? user);
  let best: { sentence: string; id: string; shared: number } | undefined;
  for (const passage of asked.passages ?? []) {
    const unwrapped = passage.text.replace(/\n(?![ \t]*(?:#|[-*]|\d+\.)\s|\s*\n)/g, ' ');
    for (const sentence of unwrapped.split(/(?<=[.!?])\s+|\n+/)) {
      const clean = sentence
        .replace(/^\s*(#+|[-*]|\d+\.)\s+/, '')
        .replace(/\*\*|`/g, '')
        .trim();
      const shared = [...words(clean)].filter((word) => question.has(word)).length;
      if (clean !== '' && (!best || shared > best.shared)) best = { sentence: clean, id: passage.id, shared };
    }
  }
  if (!best || best.shared === 0) return { answer: 'The passages do not say.', citations: [], confidence: 0 };
  return { answer: best.sentence, citations: [best.id], confidence: 0.9 };
}

/** extract: the document's `Name: value` lines, read by the schema of the system prompt's `Schema:` line. */
export function extractAnswer(messages: readonly ChatMessage[], document: string): Record<string, unknown> {
  const system = messages.find((message) => message.role === 'system')?.content ?? '';
  const line = /^Schema: (.*)$/m.exec(system)?.[1];
  let schema: Parameters<typeof extractFields>[0] = {};
  try {
    schema = line ? (JSON.parse(line) as typeof schema) : {};
  } catch {
    // No schema: an empty object.
  }
  return extractFields(schema, document).value;
}

/**
 * Content that is not what was asked for, in turn: prose, JSON cut short, and JSON of the wrong content (classify: a
 * label that is not offered; rag: an answer its cited passage does not support; extract: fields of the wrong type).
 */
function malformedContent(
  variant: number,
  labels: readonly string[],
  task: 'classify' | 'rag' | 'extract' = 'classify',
  user = '',
): string {
  const label = labels[0] ?? 'unknown';
  if (task === 'rag' && variant % 3 === 0) {
    const cited = /"id":"([^"]+)"/.exec(user)?.[1] ?? 'unknown#1';
    return JSON.stringify({
      answer: 'Yes: it is free on every plan, takes effect at once and comes with a lifetime guarantee.',
      citations: [cited],
      confidence: 0.95,
    });
  }
  if (task === 'extract' && variant % 3 === 0) return JSON.stringify({ total: 'a lot', lineItems: 'several' });
  switch (variant % 3) {
    case 1:
      return `Sure! This message looks like it is about ${label}. Let me know if there is anything else I can help with.`;
    case 2:
      return `{"label": ${JSON.stringify(label)}, "confidence": 0.9, "reply": "Thanks for reaching out, we are look`;
    default: {
      let wrong = 'other';
      while (labels.includes(wrong)) wrong = `not-${wrong}`;
      return JSON.stringify({ label: wrong, confidence: 0.9, reply: null });
    }
  }
}

function completion(request: { model: string; messages: ChatMessage[] }, content: string): unknown {
  const promptTokens = Math.ceil(request.messages.reduce((chars, message) => chars + message.content.length, 0) / 4);
  const completionTokens = Math.ceil(content.length / 4);
  return {
    id: `chatcmpl-${randomBytes(12).toString('hex')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    system_fingerprint: 'fp_fake',
  };
}

function errorMessageFor(status: number): string {
  if (status === 429) return 'Rate limit reached for requests. Please try again in 1s.';
  if (status === 500) return 'The server had an error while processing your request. Sorry about that!';
  if (status === 502) return 'Bad gateway.';
  if (status === 503) return 'The server is overloaded or not ready yet.';
  return `The fake upstream answered ${status}, as its fault asks.`;
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type: string,
  param: string | null = null,
  code: string | null = null,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { message, type, param, code } }, headers);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function isMainModule(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    // import.meta.url is the real path; the script may be reached through a symlink (node_modules/.bin, npm link).
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8099' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string' },
      'fault-type': { type: 'string' },
      'fault-rate': { type: 'string' },
      'fault-status': { type: 'string' },
      'fault-delay-ms': { type: 'string' },
    },
    strict: true,
  });
  const number = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed)) throw new Error(`--${name} ${value} is not a number`);
    return parsed;
  };
  let fault: Fault | null = null;
  const type = values['fault-type'];
  if (type !== undefined) {
    if (!(FAULT_TYPES as readonly string[]).includes(type)) throw new Error(`--fault-type must be one of ${FAULT_TYPES.join(', ')}`);
    const rate = number('fault-rate', values['fault-rate']);
    if (rate === undefined) throw new Error('--fault-type needs --fault-rate');
    fault = { type: type as Fault['type'], rate };
    const status = number('fault-status', values['fault-status']);
    const delayMs = number('fault-delay-ms', values['fault-delay-ms']);
    if (status !== undefined) fault.status = status;
    if (delayMs !== undefined) fault.delayMs = delayMs;
  }
  const options: FakeLlmOptions = { port: number('port', values.port) ?? 0, host: values.host, fault };
  const seed = number('seed', values.seed);
  if (seed !== undefined) options.seed = seed;

  const fake = await startFakeLlm(options);
  process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);
  const stop = (): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    fake.close().catch((error: unknown) => {
      process.stderr.write(`fake-llm: ${String(error)}\n`);
      process.exitCode = 1;
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (isMainModule()) {
  main().catch((error: unknown) => {
    process.stderr.write(`fake-llm: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
