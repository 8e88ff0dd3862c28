import type { DoctorCheck } from '@serx/core/stage';

/**
 * The `serx doctor` lines about TensorFlow, contributed by the plugins that train with it (each
 * lists it; doctor runs a check once per name). The backend loads only when the check runs.
 */
export const backendDoctorCheck: DoctorCheck = {
  name: 'tensorflow backend',
  async run() {
    const { describeBackend, formatBackendReport } = await import('./describe.ts');
    return formatBackendReport(await describeBackend());
  },
};
