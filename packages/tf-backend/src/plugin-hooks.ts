// `@serx/tf-backend/plugin-hooks`: what the model plugins' modules that load with the plugin need
// from this package (their doctor check, their setup step, the kernels' source for code keys),
// without the backend: loading it is a training stage's business, not a no-op rerun's.
export { backendDoctorCheck } from './doctor-check.ts';
export { serxKernelsSource } from './kernels-source.ts';
export { tensorflowProvisionStep } from './provision-step.ts';
