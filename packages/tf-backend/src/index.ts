export { type BackendReport, describeBackend, formatBackendReport } from './describe.ts';
export { backendDoctorCheck } from './doctor-check.ts';
export { type LoadOptions, loadTensorflow } from './load.ts';
export { buildProbeModel, type ProbeResult, type ProbeSize, probeBatch, trainProbe } from './probe-model.ts';
export { tensorflowProvisionStep } from './provision-step.ts';
export { nativeIntraOpThreads, serxKernelsAvailable } from './serx-kernels.ts';
export { readSetupState, type SetupState, setupStatePath } from './state.ts';
export type { BackendName, LoadedBackend, Tf } from './types.ts';
export { registerWasmTrainingKernels } from './wasm-kernels/index.ts';
