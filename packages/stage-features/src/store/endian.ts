import { endianness } from 'node:os';

const LITTLE = endianness() === 'LE';

/** The bytes of `data` in little-endian order (a view, no copy, on little-endian hosts). */
export function littleEndianBytes(data: Float32Array): Uint8Array {
  if (LITTLE) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return out;
}

/** Reinterprets little-endian bytes read from a shard in place as host-order float32. */
export function fromLittleEndian(bytes: Uint8Array, out: Float32Array): Float32Array {
  if (LITTLE) return out;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
