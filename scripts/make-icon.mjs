// Draws the bundle icon (icon.png, 512×512 RGBA): two linked rings, white on a rounded teal square.
// The PNG is written by hand (signature, IHDR, one zlib-compressed IDAT, IEND) so no image library is needed.
// Usage: node scripts/make-icon.mjs [out.png]
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const SIZE = 512;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Coverage in [0, 1] of a shape given its signed distance (negative inside), one pixel of soft edge. */
const cover = (d) => Math.min(1, Math.max(0, 0.5 - d));

/** Signed distance to a rounded rectangle centred at (cx, cy) with half sizes hx, hy and corner radius r. */
function roundedRect(x, y, cx, cy, hx, hy, r) {
  const qx = Math.abs(x - cx) - (hx - r);
  const qy = Math.abs(y - cy) - (hy - r);
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  return outside + Math.min(Math.max(qx, qy), 0) - r;
}

/** Signed distance to a ring (stadium outline) of the given thickness, rotated by angle a. */
function link(x, y, cx, cy, a, halfLen, radius, thickness) {
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const lx = (x - cx) * cos + (y - cy) * sin;
  const ly = -(x - cx) * sin + (y - cy) * cos;
  const along = Math.max(Math.abs(lx) - halfLen, 0);
  const d = Math.hypot(along, ly) - radius;
  return Math.abs(d) - thickness / 2;
}

export function drawIcon(size = SIZE) {
  const s = size / 512;
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0 (none), then RGBA
    for (let x = 0; x < size; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const bg = cover(roundedRect(px, py, 256 * s, 256 * s, 240 * s, 240 * s, 96 * s));
      // Two links crossing at the centre, at 45°: the left one drawn under the right one.
      const a = -Math.PI / 4;
      const l1 = cover(link(px, py, 206 * s, 306 * s, a, 52 * s, 62 * s, 34 * s));
      const l2 = cover(link(px, py, 306 * s, 206 * s, a, 52 * s, 62 * s, 34 * s));
      // A thin teal gap around the upper link so the two read as interlocked.
      const gap = cover(link(px, py, 306 * s, 206 * s, a, 52 * s, 62 * s, 54 * s));
      let white = Math.max(l1 * (1 - gap), l2);
      white = Math.min(white, bg);
      const teal = [14, 116, 144];
      const o = 1 + x * 4;
      row[o] = Math.round(teal[0] + (255 - teal[0]) * white);
      row[o + 1] = Math.round(teal[1] + (255 - teal[1]) * white);
      row[o + 2] = Math.round(teal[2] + (255 - teal[2]) * white);
      row[o + 3] = Math.round(255 * bg);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const out = process.argv[2] ?? new URL("../icon.png", import.meta.url);
writeFileSync(out, drawIcon());
