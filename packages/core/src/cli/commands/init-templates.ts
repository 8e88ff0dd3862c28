// The files `serx init` writes. Short and opinionated: one spec (Emo-DB + LibriSpeech, the
// paper's pipeline in miniature), one local plugin with the README's `wide-cnn` encoder structure.

export const SERX_PACKAGES = [
  '@serx/core',
  '@serx/stage-features',
  '@serx/stage-autoencoder',
  '@serx/stage-ser',
  '@serx/stage-analysis',
];

export function studySpec(corpora: string): string {
  return `# A small study: Emo-DB classified by a CNN-LSTM, from scratch and with an encoder pretrained on
# LibriSpeech (the local plugin's wide-cnn structure). Run: npx serx run experiments/study.yaml
name: study
plugins:
  - "@serx/stage-features"
  - "@serx/stage-autoencoder"
  - "@serx/stage-ser"
  - "@serx/stage-analysis"
  - ../plugins/my-encoders/index.ts
vars:
  # The corpora folder (emodb/, librispeech/ inside), absolute or relative to this file.
  data: \${env.SERX_DATA:-${corpora}}
matrix:
  seed: [1]

stages:
  ingest_emodb: { uses: features:ingest, params: { corpus: emodb, root: "\${vars.data}/emodb", perSpeaker: 6 } }
  split_emodb: { uses: features:split, inputs: { utterances: ingest_emodb.utterances } }
  mfcc_emodb: { uses: features:mfcc, inputs: { utterances: split_emodb.utterances } }

  ingest_speech:
    uses: features:ingest
    params: { corpus: librispeech, reader: librispeech, root: "\${vars.data}/librispeech", limit: 24 }
  mfcc_speech: { uses: features:mfcc, inputs: { utterances: ingest_speech.utterances } }

  ae:
    uses: autoencoder:pretrain
    seed: \${matrix.seed}
    params: { structure: wide-cnn, structureParams: { filters: 8, units: 32 }, epochs: 1, batchSize: 8, maxFrames: 300 }
    inputs: { features: [mfcc_speech.features] }

  ser_scratch:
    uses: ser:train
    seed: \${matrix.seed}
    params: { strategy: scratch, epochs: 1, batchSize: 8, maxFrames: 300 }
    inputs: { data: [mfcc_emodb.features] }
  ser_frozen:
    uses: ser:train
    seed: \${matrix.seed}
    params: { strategy: frozen, epochs: 1, batchSize: 8, maxFrames: 300 }
    inputs: { data: [mfcc_emodb.features], encoder: ae.encoder }

  predict_scratch: { uses: ser:predict, inputs: { model: ser_scratch.model, features: [mfcc_emodb.features] } }
  predict_frozen: { uses: ser:predict, inputs: { model: ser_frozen.model, features: [mfcc_emodb.features] } }
  eval_scratch: { uses: analysis:evaluate, inputs: { predictions: [predict_scratch.predictions] } }
  eval_frozen: { uses: analysis:evaluate, inputs: { predictions: [predict_frozen.predictions] } }

  report:
    uses: analysis:report
    params: { title: "My study", compare: { a: predict_frozen, b: predict_scratch }, resamples: 200 }
    inputs:
      evaluations: ["eval_scratch.evaluation[*]", "eval_frozen.evaluation[*]"]
      data: [mfcc_emodb.features]
`;
}

export const WIDE_CNN = `import type { SymbolicTensor } from '@tensorflow/tfjs';
import { defineEncoderStructure } from '@serx/stage-autoencoder';

/** Two 5x3 convolutions (wide in time), frame rate kept. Specs name it \`structure: wide-cnn\`. */
export const wideCnn = defineEncoderStructure<{ filters: number; units: number }>({
  name: 'wide-cnn',
  description: 'two 5x3 convs (wide in time), frame rate kept',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      filters: { type: 'integer', minimum: 1, default: 16 },
      units: { type: 'integer', minimum: 1, default: 64 },
    },
  },
  timeStride: () => 1,
  buildEncoder(tf, p, ctx) {
    const input = tf.input({ shape: [null, ctx.numCeps, 1] }); // any number of frames
    let x = input as SymbolicTensor;
    for (let layer = 0; layer < 2; layer++) {
      x = tf.layers
        .conv2d({ filters: p.filters, kernelSize: [5, 3], padding: 'same', activation: 'relu', kernelInitializer: ctx.kernelInitializer() })
        .apply(x) as SymbolicTensor;
    }
    x = tf.layers.reshape({ targetShape: [-1, ctx.numCeps * p.filters] }).apply(x) as SymbolicTensor;
    const h = tf.layers
      .dense({ units: p.units, activation: 'relu', kernelInitializer: ctx.kernelInitializer() })
      .apply(x) as SymbolicTensor; // [batch, frames / timeStride, units]
    return tf.model({ inputs: input, outputs: h });
  },
  buildDecoder(tf, p, ctx) {
    const input = tf.input({ shape: [null, p.units] });
    const out = tf.layers
      .dense({ units: ctx.numCeps, kernelInitializer: ctx.kernelInitializer() })
      .apply(input) as SymbolicTensor; // [batch, frames, numCeps]
    return tf.model({ inputs: input, outputs: out });
  },
});
`;

export const PLUGIN_INDEX = `import { definePlugin } from '@serx/core';
import { registerEncoderStructure } from '@serx/stage-autoencoder';
import { wideCnn } from './wide-cnn.ts';

/** This study's own plugin: stages, encoder structures, corpus readers (see the serx README). */
export const plugin = definePlugin({
  name: 'my-encoders',
  version: '1.0.0',
  stages: [],
  register() {
    registerEncoderStructure(wideCnn);
  },
});
`;

/**
 * The study plugin `serx init` writes (`plugins/my-encoders/`), by file name. The one source of the
 * wide-cnn walk-through: @serx/stage-autoencoder's README shows these texts verbatim and its test
 * trains with them.
 */
export const STUDY_PLUGIN_FILES: { readonly [file: string]: string } = {
  'wide-cnn.ts': WIDE_CNN,
  'index.ts': PLUGIN_INDEX,
};

/** tfjs-node's own install script downloads libtensorflow from a CDN; `serx setup` provisions it. */
export const NPMRC = `# @tensorflow/tfjs-node's install script downloads from a CDN; \`npx serx setup\` provisions it instead
ignore-scripts=true
`;

export const GITIGNORE = `node_modules/
# serx's cache and run records (content-hashed; \`serx gc\` prunes them)
.serx/
`;

export function readme(name: string): string {
  return `# ${name}

A speech-emotion-recognition study run with [serx](https://www.npmjs.com/package/@serx/core).

\`\`\`sh
npx serx setup                          # once: native TensorFlow (wasm fallback) and the MFCC C kernel
npx serx run experiments/study.yaml     # reruns reuse every unchanged stage from .serx/cache
\`\`\`

- \`experiments/study.yaml\`: the spec; \`SERX_DATA\` overrides its corpora folder.
- \`plugins/my-encoders/\`: this study's plugin (the \`wide-cnn\` encoder structure the spec names).
- \`npx serx doctor\` checks the environment; \`npx serx --help\` lists the commands.
`;
}
