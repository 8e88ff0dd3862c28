// Public API of @serx/stage-autoencoder. Each module adds its exports here (one line per module).
export * from './structures/registry.ts';
export * from './structures/params.ts';
export * from './structures/build.ts';
export { builtinStructures, registerBuiltinStructures } from './structures/builtin.ts';
export { parryCnn, type ParryCnnParams, type ConvLayerParams } from './structures/parry-cnn.ts';
export { temporalConv1d, type TemporalConv1dParams } from './structures/temporal-conv1d.ts';
export * from './encoder-artifact.ts';
export { saveModel, loadWeightsInto } from './training/model-files.ts';
export { assembleBatch, planEpoch, planEvaluation, type Batch, type BatchOptions } from './training/batches.ts';
export { Rng } from './training/rng.ts';
export { useNativeReluGrad } from './training/native-gradients.ts';
export { pretrain, type PretrainParams } from './stages/pretrain.ts';
export { plugin } from './plugin.ts';
export { plugin as default } from './plugin.ts';
