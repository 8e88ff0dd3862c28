import { defineConfig } from 'vitest/config';

// The loop tests train a few tiny models; several times slower on the shared, loaded machine.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
