// JavaScript side of the WebAssembly Gear scan (gear-scan.wat). Each thread has its own instance
// (module state is per thread); every scanner on the thread shares it, which is safe because a
// call runs to completion and the carried hash is passed in and read back on every call.
import { WASM_BASE64 } from './gear-scan.wasm.js';

/** Where the table and the scanned bytes live in the module's memory (see gear-scan.wat). */
const TABLE_AT = 0;
const DATA_AT = 1024;
/** Bytes copied in per call: the memory is 17 pages of 64 KiB = 1024 + BLOCK. */
const BLOCK = 16 * 64 * 1024;

interface GearExports {
  memory: WebAssembly.Memory;
  getFp(): number;
  setFp(fp: number): void;
  find(start: number, stop: number, mask: number): number;
}

export class GearScan {
  private readonly ex: GearExports;
  private readonly mem: Uint8Array;

  constructor(table: Int32Array) {
    if (table.length !== 256) throw new RangeError('the gear table has 256 entries');
    const module = new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
    this.ex = new WebAssembly.Instance(module).exports as unknown as GearExports;
    this.mem = new Uint8Array(this.ex.memory.buffer);
    // Little-endian int32 in the module, whatever the host's byte order.
    const view = new DataView(this.ex.memory.buffer);
    table.forEach((v, i) => view.setInt32(TABLE_AT + 4 * i, v, true));
  }

  /**
   * Continues the Gear hash `fp` over buf[start, stop). Returns the offset in `buf` just past the
   * first byte after which (hash & mask) == 0, or -1 when there is none; `state.fp` is then the
   * hash after the last byte (it is not meaningful after a cut).
   */
  find(buf: Uint8Array, start: number, stop: number, mask: number, state: { fp: number }): number {
    const { ex, mem } = this;
    ex.setFp(state.fp);
    for (let at = start; at < stop; at += BLOCK) {
      const end = Math.min(stop, at + BLOCK);
      mem.set(buf.subarray(at, end), DATA_AT);
      const cut = ex.find(DATA_AT, DATA_AT + (end - at), mask);
      if (cut >= 0) return at + (cut - DATA_AT);
    }
    state.fp = ex.getFp();
    return -1;
  }
}
