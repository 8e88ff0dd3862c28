import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Stages are called directly in tests, without loading the plugin: register its readers first.
    setupFiles: ['./test/setup.ts'],
    // features:opensmile's tests need the library: provisioned once before any test file runs.
    globalSetup: ['./test/global-setup.ts'],
  },
});
