import { defineConfig } from 'vitest/config';

// Loading libtensorflow and training the probe take seconds alone, several times that on a loaded machine.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
