// Public API of @serx/stage-autoencoder. Each module adds its exports here (one line per module).

export * from './encoder-artifact.ts';
export { plugin, plugin as default } from './plugin.ts';
export { type PretrainParams, pretrain } from './stages/pretrain.ts';
export * from './structures/build.ts';
export { builtinStructures, registerBuiltinStructures } from './structures/builtin.ts';
export * from './structures/params.ts';
export { type ConvLayerParams, type ParryCnnParams, parryCnn } from './structures/parry-cnn.ts';
export * from './structures/registry.ts';
export { type TemporalConv1dParams, temporalConv1d } from './structures/temporal-conv1d.ts';
export { assembleBatch, type Batch, type BatchOptions } from './training/batches.ts';
export { loadWeightsInto, saveModel } from './training/model-files.ts';
export { useNativeReluGrad } from './training/native-gradients.ts';
