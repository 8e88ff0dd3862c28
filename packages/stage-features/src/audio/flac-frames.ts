import { PcmLayoutError } from './pcm.ts';

const CRC8 = crcTable(0x07, 8);
const CRC16 = crcTable(0x8005, 16);

function crcTable(poly: number, bits: 8 | 16): Uint16Array {
  const top = 1 << (bits - 1);
  const mask = (1 << bits) - 1;
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << (bits - 8);
    for (let k = 0; k < 8; k++) c = c & top ? ((c << 1) ^ poly) & mask : (c << 1) & mask;
    table[i] = c;
  }
  return table;
}

/** Length of a valid frame header at `p` (sync, fields and CRC-8 checked), or 0. */
function headerLength(bytes: Uint8Array, p: number): number {
  if (p + 6 > bytes.length || bytes[p] !== 0xff || (bytes[p + 1]! & 0xfe) !== 0xf8) return 0;
  const blockCode = bytes[p + 2]! >> 4;
  const rateCode = bytes[p + 2]! & 0x0f;
  if (blockCode === 0 || rateCode === 15 || bytes[p + 3]! >> 4 > 10 || (bytes[p + 3]! & 0x01) !== 0) return 0;
  const lead = bytes[p + 4]!;
  let numberBytes = 1;
  if (lead >= 0x80) {
    if ((lead & 0xe0) === 0xc0) numberBytes = 2;
    else if ((lead & 0xf0) === 0xe0) numberBytes = 3;
    else if ((lead & 0xf8) === 0xf0) numberBytes = 4;
    else if ((lead & 0xfc) === 0xf8) numberBytes = 5;
    else if ((lead & 0xfe) === 0xfc) numberBytes = 6;
    else if (lead === 0xfe) numberBytes = 7;
    else return 0;
  }
  let len = 4 + numberBytes;
  if (blockCode === 6) len += 1;
  else if (blockCode === 7) len += 2;
  if (rateCode === 12) len += 1;
  else if (rateCode === 13 || rateCode === 14) len += 2;
  if (p + len + 1 > bytes.length) return 0;
  let crc = 0;
  for (let i = p; i < p + len; i++) crc = CRC8[crc ^ bytes[i]!]!;
  return crc === bytes[p + len] ? len + 1 : 0;
}

/** Offset of the first audio frame: after `fLaC` and the metadata blocks. */
export function firstFrameOffset(bytes: Uint8Array, start: number): number {
  let p = start + 4;
  for (;;) {
    if (p + 4 > bytes.length) throw new PcmLayoutError('truncated', 'file ends inside the FLAC metadata');
    const last = (bytes[p]! & 0x80) !== 0;
    p += 4 + ((bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!);
    if (last) return p;
  }
}

/**
 * Splits the audio part of a FLAC stream into frames. A frame ends where the next valid header
 * starts *and* the CRC-16 over the frame checks (so sync-like bytes inside audio data are not
 * mistaken for a header). Used instead of the decoder package's parser, which drops the final
 * frame of some files.
 */
export function splitFlacFrames(bytes: Uint8Array, audioStart: number): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let start = audioStart;
  while (start < bytes.length) {
    const first = headerLength(bytes, start);
    if (first === 0) throw new PcmLayoutError('corrupt', `no FLAC frame header at byte ${start}`);
    let crc = 0;
    let end = -1;
    let laterHeader = -1;
    for (let p = start; p < bytes.length; p++) {
      if (p >= start + first + 2 && bytes[p] === 0xff && headerLength(bytes, p) > 0) {
        if (crc === 0) {
          end = p;
          break;
        }
        if (laterHeader < 0) laterHeader = p;
      }
      crc = ((crc << 8) & 0xffff) ^ CRC16[(crc >> 8) ^ bytes[p]!]!;
    }
    if (end < 0) {
      if (crc === 0) end = bytes.length;
      else if (laterHeader >= 0) {
        throw new PcmLayoutError(
          'corrupt',
          `CRC-16 mismatch in the FLAC frame at byte ${start} (next header at byte ${laterHeader})`,
        );
      } else {
        throw new PcmLayoutError(
          'truncated',
          `the FLAC frame at byte ${start} is cut short (no valid frame end before end of file)`,
        );
      }
    }
    frames.push(bytes.subarray(start, end));
    start = end;
  }
  return frames;
}
