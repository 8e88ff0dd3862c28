// Public API of @serx/stage-ser.
export * from './metrics.ts';
export { assembleCnnLstm, type DropoutRates, encoderOf, type HeadConfig } from './model/cnn-lstm.ts';
export { CONFIG_FILE, HISTORY_FILE, loadTrainedModel, type ModelConfig } from './model/config.ts';
export { SERX_DROPOUT_CLASS, serxDropoutClass } from './model/dropout.ts';
export { SERX_LSTM_CLASS, type SerxLstmArgs, serxLstmClass } from './model/lstm.ts';
export { type LstmImpl, lstmSequence } from './model/lstm-sequence.ts';
export { plugin, plugin as default } from './plugin.ts';
export { type FinetuneParams, finetune } from './stages/finetune.ts';
export { type PredictParams, predict } from './stages/predict.ts';
export { type TrainParams, train } from './stages/train.ts';
export { trainParamsSchema } from './stages/train-params.ts';
