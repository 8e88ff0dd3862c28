import { defineErrorCodes } from '@serx/core/stage';

/** Error codes of the analysis plugin (`analysis:<CODE>`), registered in serx's catalogue. */
export const AnalysisErrors = defineErrorCodes('analysis', {
  CLAIM_FAILED: {
    description:
      'A claim of a report stage failed and the stage has `strict: true` (claim and CI in the message)',
  },
  CLAIM_INVALID: {
    description:
      'A report claim is malformed or names a metric, corpus or method the evaluations do not have',
  },
});
