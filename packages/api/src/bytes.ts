// Binary bodies both ways: what a request may send, and an answer's bytes as the transport hands them out.
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

/** Names an answer body's failures: one while reading becomes a NetworkError naming the call. */
export function byteStream(body: ByteStream, what: string): ByteStream {
  return {
    async *[Symbol.asyncIterator]() {
      const parts = body[Symbol.asyncIterator]();
      try {
        for (;;) {
          let part: IteratorResult<Uint8Array>;
          try {
            part = await parts.next();
          } catch (err) {
            throw new NetworkError(`${what}: the answer stream failed: ${(err as Error).message}`, { cause: err });
          }
          if (part.done) return;
          yield part.value;
        }
      } finally {
        // Left early (break, throw in the loop body): the rest is not wanted.
        await parts.return?.();
      }
    },
    cancel: (reason?: unknown) => body.cancel(reason),
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
