// The one HTTP exchange the transport needs: a request out, an answer's status, headers and bytes
// back. The default sends it with fetch (browsers and Node alike); a Node program may pass its own
// (node-http.ts: node:http starts faster and streams large answers with half fetch's CPU).
import type { BinaryBody, ByteStream } from './bytes.js';

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** A string is sent as UTF-8 (JSON). */
  body?: BinaryBody | string;
  /** fetch's credentials mode (cookies in a browser); clients without cookies ignore it. */
  credentials: RequestCredentials;
  /** Aborts the request (and an answer still being read). */
  signal: AbortSignal;
}

export interface AnswerHeaders {
  /** A header's value (names are case-insensitive), or null when absent. */
  get(name: string): string | null;
}

export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: AnswerHeaders;
  /** The answer's bytes; a failure while reading is thrown as it came (the transport names it). */
  body: ByteStream;
  /** The whole body as UTF-8 (for JSON and error answers). */
  text(): Promise<string>;
}

/** Sends one request; resolves once the answer's headers arrived, rejects when none could be had. */
export type HttpClient = (request: HttpRequest) => Promise<HttpAnswer>;

/** An HttpClient on a fetch implementation (the global one by default). */
export function fetchClient(fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init)): HttpClient {
  return async ({ method, url, headers, body, credentials, signal }) => {
    let sent: BodyInit | undefined;
    let streaming = false;
    if (typeof body === 'string') sent = body;
    else if (body !== undefined) ({ body: sent, streaming } = toFetchBody(body));
    const res = await fetchImpl(url, {
      method, headers, body: sent, credentials, signal,
      // Streamed request bodies must say so (fetch standard); buffered ones need not.
      ...(streaming && { duplex: 'half' }),
    } as RequestInit);
    return { status: res.status, statusText: res.statusText, headers: res.headers, body: readerOf(res.body), text: () => res.text() };
  };
}

/** What fetch takes: async iterables become a ReadableStream pulled one part at a time. */
function toFetchBody(body: BinaryBody): { body: BodyInit; streaming: boolean } {
  if (body instanceof Uint8Array || (typeof Blob !== 'undefined' && body instanceof Blob)) return { body: body as BodyInit, streaming: false };
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) return { body, streaming: true };
  const iterator = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
  return { body: stream, streaming: true };
}

/** A fetch answer's stream as a ByteStream; leaving the loop early cancels the rest. */
function readerOf(body: ReadableStream<Uint8Array> | null): ByteStream {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return {
    async *[Symbol.asyncIterator]() {
      if (!body) return;
      reader = body.getReader();
      let done = false;
      try {
        for (;;) {
          const part = await reader.read().catch((err: unknown) => {
            done = true;
            throw err;
          });
          if (part.done) {
            done = true;
            return;
          }
          yield part.value;
        }
      } finally {
        if (!done) await reader.cancel().catch(() => {});
      }
    },
    async cancel(reason?: unknown) {
      if (reader) await reader.cancel(reason).catch(() => {});
      else if (body && !body.locked) await body.cancel(reason).catch(() => {});
    },
  };
}
