export { type BackendReport, describeBackend, formatBackendReport } from './describe.ts';
export { backendDoctorCheck } from './doctor-check.ts';
export { type LoadOptions, loadTensorflow } from './load.ts';
export {
  type Binding,
  biasAttrs,
  executeNative,
  floatTypeAttr,
  matMulAttrs,
  type NodeBackend,
  nodeBackend,
  type OpAttr,
  type TensorMetadata,
} from './native-op.ts';
export { buildProbeModel, type ProbeResult, type ProbeSize, probeBatch, trainProbe } from './probe-model.ts';
export { tensorflowProvisionStep } from './provision-step.ts';
export { nativeIntraOpThreads, serxKernelsAvailable, serxKernelsSource } from './serx-kernels.ts';
export { maskedAbsSum, maskedSquaredErrorSum } from './serx-losses.ts';
export { readSetupState, type SetupState, setupStatePath } from './state.ts';
export type { BackendName, LoadedBackend, Tf } from './types.ts';
export { registerWasmTrainingKernels } from './wasm-kernels/index.ts';
