// Recycled memory for raw chunks. A fresh ArrayBuffer per chunk makes V8 account gigabytes of
// external memory while a large file is read, and it answers with a full garbage collection every
// few dozen MiB: we measured ~90 collections and about a third of the client's CPU time for
// 1.3 GB of input. Chunks instead borrow ArrayBuffers from a few size classes and are given back
// when their bytes are no longer needed (after hashing and, if uploaded, compressing them).
//
// A borrowed ArrayBuffer holds exactly one chunk, from offset 0, so it can be transferred to a
// worker thread whole (together with the chunk's length) and come back to be reused.

const KiB = 1024;
/** Capacities are multiples of this (chunks are 128 KiB to 2 MiB with our parameters). */
const CLASS_STEP = 128 * KiB;
/** Larger chunks (custom parameters) are allocated and dropped as before. */
const MAX_CLASS = 2048 * KiB;
/** Idle bytes kept for reuse, over all classes: bounds what a burst leaves behind. */
const MAX_IDLE_BYTES = 48 * 1024 * KiB;

export class ChunkBuffers {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private idleBytes = 0;
  /** The ArrayBuffers this pool handed out: only those are taken back and transferred whole. */
  private readonly ours = new WeakSet<ArrayBuffer>();

  /** A Buffer of `size` bytes (contents undefined) at offset 0 of an ArrayBuffer of its own. */
  take(size: number): Buffer {
    const capacity = Math.ceil(Math.max(size, 1) / CLASS_STEP) * CLASS_STEP;
    if (capacity > MAX_CLASS) return Buffer.allocUnsafeSlow(size);
    let ab = this.free.get(capacity)?.pop();
    if (ab) this.idleBytes -= capacity;
    else {
      ab = new ArrayBuffer(capacity);
      this.ours.add(ab);
    }
    return Buffer.from(ab, 0, size);
  }

  /** Marks an ArrayBuffer that came back from a worker (a transfer makes a new object) as ours. */
  adopt(ab: ArrayBuffer): void {
    if (isClass(ab.byteLength)) this.ours.add(ab);
  }

  /** Whether `ab` came from `take` (so it holds one chunk and may be transferred whole). */
  owns(ab: ArrayBufferLike): boolean {
    return this.ours.has(ab as ArrayBuffer);
  }

  /**
   * Takes back the memory of a chunk nobody reads any more. Anything not from `take` (or a
   * detached buffer) is ignored; the caller must not use the chunk afterwards.
   */
  give(chunk: Uint8Array | ArrayBuffer): void {
    const ab = chunk instanceof ArrayBuffer ? chunk : chunk.buffer;
    if (!this.ours.has(ab as ArrayBuffer) || !isClass(ab.byteLength)) return;
    if (this.idleBytes + ab.byteLength > MAX_IDLE_BYTES) return;
    let list = this.free.get(ab.byteLength);
    if (!list) this.free.set(ab.byteLength, (list = []));
    if (list.includes(ab as ArrayBuffer)) return; // given twice: keep one
    list.push(ab as ArrayBuffer);
    this.idleBytes += ab.byteLength;
  }
}

/** Whether `bytes` is one of the capacities `take` hands out (a detached buffer has 0). */
function isClass(bytes: number): boolean {
  return bytes > 0 && bytes <= MAX_CLASS && bytes % CLASS_STEP === 0;
}
