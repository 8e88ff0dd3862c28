import { defineErrorCodes } from '@serx/core/stage';

/** Error codes of the autoencoder plugin (`autoencoder:<CODE>`), registered in serx's catalogue. */
export const AutoencoderErrors = defineErrorCodes('autoencoder', {
  ENCODER_STRUCTURE_DUPLICATE: {
    description: 'Two loaded plugins register an encoder structure under the same name',
  },
  ENCODER_STRUCTURE_INVALID: {
    description: "An encoder structure's params fail its JSON Schema, or its models have the wrong shapes",
  },
  ENCODER_STRUCTURE_UNKNOWN: { description: 'A spec names an encoder structure no loaded plugin registered' },
});
