import { createRequire } from 'node:module';

/** native/opensmile-addon.c as Node sees it. */
interface OpensmileAddon {
  open(library: string): void;
  extract(
    config: string,
    options: string[],
    pcm: Int16Array,
  ): { data: Float32Array; frames: number; dims: number };
  names(config: string, options: string[]): string[];
}

const loaded = new Map<string, OpensmileAddon>();

/** The addon at `addonPath` with `library` loaded (once per thread; the library once per process). */
export function opensmileAddon(addonPath: string, library: string): OpensmileAddon {
  let addon = loaded.get(addonPath);
  if (!addon) {
    addon = createRequire(import.meta.url)(addonPath) as OpensmileAddon;
    addon.open(library);
    loaded.set(addonPath, addon);
  }
  return addon;
}

/**
 * 16-bit PCM as opensmile-python feeds openSMILE (`signal * 32768` cast to int16: truncated
 * toward zero), clamped to the int16 range where numpy would wrap around. Samples decoded from
 * 16-bit files come back exactly.
 */
export function toPcm16(samples: Float32Array): Int16Array {
  const pcm = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.trunc((samples[i] as number) * 32768);
    pcm[i] = Math.min(32767, Math.max(-32768, v));
  }
  return pcm;
}
