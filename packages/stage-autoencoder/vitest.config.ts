import { defineConfig } from 'vitest/config';

// Training tests take a few seconds alone but several times that on the shared, loaded machine.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
