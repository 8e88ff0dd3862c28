import { type DoctorCheck, ErrorCodes, type ProvisionStep, SerxError } from '@serx/core/stage';
import { PROVISION_COMMAND, provisionScript } from './installation.ts';

/**
 * The opt-in `serx setup --with opensmile` step: the `opensmile` wheel from PyPI (libSMILEapi and
 * the configs, cached under ~/.cache/serx), the addon that calls it, a check run, and the first lines
 * of audEERING's research licence (non-commercial use only), which the user accepts by running it.
 */
export const opensmileStep: ProvisionStep = {
  name: 'opensmile',
  optIn: true,
  async check() {
    return (await provisionScript()).opensmileState();
  },
  async run({ force, retryCommand }) {
    const script = await provisionScript();
    try {
      script.ensureOpensmile({ force });
    } catch (cause) {
      // no fallback: features:opensmile needs the library itself
      throw new SerxError(
        ErrorCodes.ENVIRONMENT,
        `openSMILE provisioning failed: ${(cause as Error).message}\n  then run \`${retryCommand}\``,
        { cause },
      );
    }
  },
};

/** `serx doctor`'s openSMILE line: where it is, or how to provision it, and its licence. */
export const opensmileCheck: DoctorCheck = {
  name: 'opensmile',
  async run() {
    const state = (await provisionScript()).opensmileState();
    if (state.ok) return [`openSMILE: ${state.detail}`];
    return [
      `openSMILE: ${state.detail}; features:opensmile needs it: \`${PROVISION_COMMAND}\` (audEERING research licence, non-commercial use only)`,
    ];
  },
};
