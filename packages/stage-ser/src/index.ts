// Public API of @serx/stage-ser.
export * from './metrics.ts';
export { train, type TrainParams } from './stages/train.ts';
export { trainParamsSchema } from './stages/train-params.ts';
export { predict, type PredictParams } from './stages/predict.ts';
export { CONFIG_FILE, HISTORY_FILE, type ModelConfig, loadTrainedModel } from './model/config.ts';
export { assembleCnnLstm, encoderOf, type HeadConfig } from './model/cnnLstm.ts';
export { serxLstmClass, SERX_LSTM_CLASS, type SerxLstmArgs } from './model/lstm.ts';
export { lstmSequence, type LstmImpl } from './model/lstmSequence.ts';
export type { EpochRecord } from './training/trainer.ts';
export { plugin } from './plugin.ts';
export { plugin as default } from './plugin.ts';
