import { defineConfig } from 'vitest/config';

// Figures and t-SNE take a few seconds on a loaded 2-core machine.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
