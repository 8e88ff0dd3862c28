// The encoder-structure registry and the built-in structures, without the training code or
// TensorFlow: what another plugin imports when it loads (a stage's `codeDependencies`, registering
// the built-in structures), as `@serx/stage-autoencoder/structures`.

export { builtinStructures, registerBuiltinStructures } from './builtin.ts';
export * from './registry.ts';
