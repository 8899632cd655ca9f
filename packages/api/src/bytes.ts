// Binary bodies both ways, with web streams only (Node's fetch and browsers share them).
import { NetworkError } from './errors.js';

/** A request body sent as bytes; async iterables and streams are streamed, not buffered. */
export type BinaryBody = Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** An answer's bytes as they arrive. Consume it, or cancel it to free the connection. */
export interface ByteStream extends AsyncIterable<Uint8Array> {
  cancel(reason?: unknown): Promise<void>;
}

/** Whether the body can be sent again as it is (a stream is used up by the first attempt). */
export function isReplayable(body: BinaryBody): boolean {
  return body instanceof Uint8Array || (typeof Blob !== 'undefined' && body instanceof Blob);
}

/** What fetch takes: async iterables become a ReadableStream pulled one part at a time. */
export function toFetchBody(body: BinaryBody): { body: BodyInit; streaming: boolean } {
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

/** Wraps an answer body; a failure while reading becomes a NetworkError naming the call. */
export function byteStream(body: ReadableStream<Uint8Array> | null, what: string): ByteStream {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return {
    async *[Symbol.asyncIterator]() {
      if (!body) return;
      reader = body.getReader();
      let done = false;
      try {
        for (;;) {
          let part: ReadableStreamReadResult<Uint8Array>;
          try {
            part = await reader.read();
          } catch (err) {
            done = true;
            throw new NetworkError(`${what}: the answer stream failed: ${(err as Error).message}`, { cause: err });
          }
          if (part.done) {
            done = true;
            return;
          }
          yield part.value;
        }
      } finally {
        // Left early (break, throw in the loop body): the rest is not wanted.
        if (!done) await reader.cancel().catch(() => {});
      }
    },
    async cancel(reason?: unknown) {
      if (reader) await reader.cancel(reason).catch(() => {});
      else if (body && !body.locked) await body.cancel(reason).catch(() => {});
    },
  };
}

/** Reads a whole (small) answer body. */
export async function readAll(stream: ByteStream): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of stream) {
    parts.push(part);
    size += part.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
