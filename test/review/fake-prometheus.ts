/**
 * A stand-in for the Prometheus HTTP API on a real local port: GET /api/v1/query answers with
 * the value a test gives for each query, shaped exactly as Prometheus shapes it (an instant
 * vector of one sample, an empty vector, or a bad_data error for a query it does not know).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export interface FakePrometheus {
  url: string;
  /** The queries received, in order, with their headers. */
  received: { query: string; headers: IncomingHttpHeaders }[];
}

/** An evaluation time, as Prometheus writes it: seconds, with milliseconds. */
const TIME = 1772323200.123;

export function vector(value: string | undefined): unknown {
  return {
    status: 'success',
    data: {
      resultType: 'vector',
      result: value === undefined ? [] : [{ metric: {}, value: [TIME, value] }],
    },
  };
}

/**
 * Serves `answer(query)`: a string is the one sample's value, undefined an empty vector, null a
 * bad_data error (HTTP 400), an object is sent as the body as it is.
 */
export async function fakePrometheus(answer: (query: string) => string | undefined | null | object): Promise<FakePrometheus> {
  const received: FakePrometheus['received'] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/v1/query' || request.method !== 'GET') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    const query = url.searchParams.get('query') ?? '';
    received.push({ query, headers: request.headers });
    const value = answer(query);
    const body =
      value === null
        ? { status: 'error', errorType: 'bad_data', error: `1:1: parse error: unknown query ${JSON.stringify(query)}` }
        : typeof value === 'object'
          ? value
          : vector(value);
    response.writeHead(value === null ? 400 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received };
}
