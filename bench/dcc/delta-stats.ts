// How much of a re-saved .blend is new, seen by content-defined chunking at several chunk sizes
// and by a whole-file zstd patch against the previous version. Feeds the delta-checkpoint docs.
//
// For every file version that replaces an earlier one (a .blend by default):
//   new share @ avg A   bytes of the version's chunks (FastCDC, min A/2, avg A, max 4A) whose
//                       content is not a chunk of the previous version, over the file size
//   zstd alone          the whole file at zstd level 3
//   patch (dict)        zstd 3 with the previous version as a raw-content dictionary
//                       (CCtx.compressUsingDict, level-3 defaults: 2 MiB window, so most of a
//                       20 MB dictionary is out of reach)
//   patch (long)        the same with the window covering previous + new, long-distance matching
//                       on, and the dictionary force-loaded into the context so LDM indexes it:
//                       what `zstd -3 --patch-from=OLD NEW` does (within a few %)
//
// Why "long" needs three settings with zstd-napi (which has no ZSTD_CCtx_refPrefix): a raw dictionary
// loaded with loadDictionary becomes a CDict; for an input of about the dictionary's size zstd
// compresses with the CDict's own small level-3 tables, and LDM never sees the dictionary (both
// measured: ~99% of the alone size). ZSTD_c_forceAttachDict = ZSTD_dictForceLoad (experimental
// parameter 1001, value 3) makes zstd load the dictionary content into the context with the
// context's parameters, LDM included. Decoding needs DCtx windowLogMax >= that windowLog above 27.
import { readFileSync } from 'node:fs';
import binding from 'zstd-napi/binding.js';
import { cutPoints, DEFAULT_CDC_PARAMS, sha256Hex, type CdcParams } from '@backlot/storage';
import { changedFiles } from './corpus.js';

const KiB = 1024;
export const AVG_SIZES = [256 * KiB, 64 * KiB, 16 * KiB, 4 * KiB];

export interface DeltaRow {
  rel: string;
  version: number;
  bytes: number;
  /** Share of bytes in chunks new relative to the previous version, per AVG_SIZES entry. */
  newShare: number[];
  zstd: number;
  patchDict: number;
  patchLong: number;
}

/** min = avg/2, max = 4×avg, as DEFAULT_CDC_PARAMS (128 / 256 / 1024 KiB) does. */
export function paramsFor(avg: number): CdcParams {
  return avg === DEFAULT_CDC_PARAMS.avgSize ? DEFAULT_CDC_PARAMS : { minSize: avg / 2, avgSize: avg, maxSize: 4 * avg };
}

function chunks(buf: Buffer, p: CdcParams): Buffer[] {
  const out: Buffer[] = [];
  let s = 0;
  for (const c of cutPoints(buf, p)) {
    out.push(buf.subarray(s, c));
    s = c;
  }
  return out;
}

function newShare(prev: Buffer, cur: Buffer, p: CdcParams): number {
  const old = new Set(chunks(prev, p).map((c) => sha256Hex(c)));
  let fresh = 0;
  for (const c of chunks(cur, p)) if (!old.has(sha256Hex(c))) fresh += c.length;
  return cur.length ? fresh / cur.length : 0;
}

function zstdAlone(src: Buffer): number {
  return new binding.CCtx().compress(Buffer.allocUnsafe(binding.compressBound(src.length)), src, 3);
}

function patchDict(src: Buffer, dict: Buffer): number {
  return new binding.CCtx().compressUsingDict(Buffer.allocUnsafe(binding.compressBound(src.length)), src, dict, 3);
}

/** ZSTD_c_forceAttachDict (ZSTD_c_experimentalParam4) and its ZSTD_dictForceLoad value (zstd.h, static-linking-only API). */
const ZSTD_C_FORCE_ATTACH_DICT = 1001 as binding.CParameter;
const ZSTD_DICT_FORCE_LOAD = 3;

function patchLong(src: Buffer, dict: Buffer): number {
  const cctx = new binding.CCtx();
  cctx.setParameter(binding.CParameter.compressionLevel, 3);
  cctx.setParameter(binding.CParameter.windowLog, Math.min(31, Math.max(10, Math.ceil(Math.log2(dict.length + src.length)))));
  cctx.setParameter(binding.CParameter.enableLongDistanceMatching, 1);
  cctx.setParameter(ZSTD_C_FORCE_ATTACH_DICT, ZSTD_DICT_FORCE_LOAD);
  cctx.loadDictionary(dict);
  return cctx.compress2(Buffer.allocUnsafe(binding.compressBound(src.length)), src);
}

/** One row per file version that replaced a previous version of the same path (matching `filter`). */
export function deltaStats(snapshots: string[], filter: (rel: string) => boolean = (r) => r.endsWith('.blend')): DeltaRow[] {
  const rows: DeltaRow[] = [];
  for (const f of changedFiles(snapshots)) {
    if (!f.prev || !filter(f.rel)) continue;
    const prev = readFileSync(f.prev);
    const cur = readFileSync(f.path);
    rows.push({
      rel: f.rel,
      version: f.version,
      bytes: cur.length,
      newShare: AVG_SIZES.map((a) => newShare(prev, cur, paramsFor(a))),
      zstd: zstdAlone(cur),
      patchDict: patchDict(cur, prev),
      patchLong: patchLong(cur, prev),
    });
  }
  return rows;
}
