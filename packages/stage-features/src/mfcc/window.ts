import type { WindowName } from './options.ts';

export function makeWindow(name: WindowName, length: number, periodic: boolean): Float64Array {
  const w = new Float64Array(length);
  const denom = periodic ? length : length - 1;
  for (let i = 0; i < length; i++) {
    const c = denom > 0 ? Math.cos((2 * Math.PI * i) / denom) : 1;
    if (name === 'hamming') w[i] = 0.54 - 0.46 * c;
    else if (name === 'hann') w[i] = 0.5 - 0.5 * c;
    else if (name === 'povey') w[i] = (0.5 - 0.5 * c) ** 0.85;
    else w[i] = 1;
  }
  return w;
}
