import { defineConfig } from 'vitest/config';

// The smoke experiment trains real (small) models: one file, generous timeouts, no parallelism.
export default defineConfig({ test: { testTimeout: 900_000, hookTimeout: 180_000, fileParallelism: false } });
