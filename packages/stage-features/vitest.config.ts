import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Stages are called directly in tests, without loading the plugin: register its readers first.
  test: { setupFiles: ['./test/setup.ts'] },
});
