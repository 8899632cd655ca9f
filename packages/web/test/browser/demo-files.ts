// Content for the browser tests and the screenshot script, made through the real API: a file's
// bytes uploaded as one chunk, a checkpoint naming it, and a preview image (a small PNG drawn
// here: a gradient with a few shapes, so grids of previews look like a project's thumbnails).
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { encodeFrames, type BacklotApi } from '@backlot/api';
import { encodeChunk } from '@backlot/storage';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function hsl(h: number, s: number, l: number): [number, number, number] {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** A 320×200 RGB PNG: a two-hue gradient, a "sun" disc and a horizon band, varied by `seed`. */
export function demoPng(seed: number, width = 320, height = 200): Buffer {
  const hue = (seed * 47) % 360;
  const sky = hsl(hue, 0.55, 0.62);
  const ground = hsl((hue + 140) % 360, 0.35, 0.32);
  const sun = hsl((hue + 40) % 360, 0.85, 0.72);
  const cx = 60 + ((seed * 53) % 200);
  const cy = 50 + ((seed * 29) % 50);
  const horizon = 120 + ((seed * 17) % 40);
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const t = y / height;
      let px: [number, number, number] = y < horizon
        ? [sky[0] * (1 - t * 0.4), sky[1] * (1 - t * 0.4), sky[2] * (1 - t * 0.2)] as [number, number, number]
        : [ground[0] + ((x + y) % 23 < 2 ? 18 : 0), ground[1], ground[2]];
      const d = Math.hypot(x - cx, y - cy);
      if (d < 26 && y < horizon) px = sun;
      else if (y < horizon && Math.abs(y - (horizon - 12 - 18 * Math.sin((x + seed * 13) / 37))) < 10 + 6 * Math.sin(x / 11)) px = [ground[0] * 0.8, ground[1] * 0.9, ground[2]];
      row[1 + x * 3] = px[0];
      row[2 + x * 3] = px[1];
      row[3 + x * 3] = px[2];
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.concat(rows))), pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A checkpoint of `assetId` by the caller of `api` (who must hold the task), with a file of
 * `bytes` and, when `previewSeed` is given, a preview image.
 */
export async function demoCheckpoint(api: BacklotApi, projectId: string, assetId: string,
  opts: { bytes: Buffer; comment: string; statusId?: string; previewSeed?: number }) {
  const id = sha256(opts.bytes);
  const { missing } = await api.content.checkChunks(projectId, [id]);
  if (missing.length) await api.content.uploadChunks(projectId, encodeFrames([{ id, encoded: encodeChunk(opts.bytes) }]));
  const cp = await api.production.createCheckpoint(projectId, assetId, {
    fileHash: id, size: opts.bytes.length, chunks: [id], comment: opts.comment, ...(opts.statusId && { statusId: opts.statusId }),
  });
  if (opts.previewSeed !== undefined) await api.content.putPreview(projectId, cp.id, demoPng(opts.previewSeed), 'image/png');
  return cp;
}
