// Public API of @serx/stage-autoencoder. Each module adds its exports here (one line per module).
export * from './structures/registry.ts';
export * from './structures/params.ts';
export * from './structures/build.ts';
