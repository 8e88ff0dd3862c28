/**
 * The encoder-structure registry: the one place a CNN encoder (and its matching decoder) is looked
 * up by name. A structure is one file that calls {@link defineEncoderStructure}; a plugin package
 * makes it available by calling {@link registerEncoderStructure} from its plugin `register()`, after
 * which any spec may name it (`autoencoder:pretrain` `structure:`, `ser:train` `structure:`).
 *
 * @example
 * ```ts
 * import { defineEncoderStructure, registerEncoderStructure } from '@serx/stage-autoencoder';
 *
 * export const tinyCnn = defineEncoderStructure<{ filters: number }>({
 *   name: 'tiny-cnn',
 *   description: 'one 3x3 conv layer, frame rate kept',
 *   params: {
 *     type: 'object',
 *     additionalProperties: false,
 *     properties: { filters: { type: 'integer', minimum: 1, default: 8 } },
 *   },
 *   buildEncoder(tf, p, ctx) {
 *     const input = tf.input({ shape: [null, ctx.numCeps, 1] });
 *     const conv = tf.layers.conv2d({ filters: p.filters, kernelSize: 3, padding: 'same',
 *       activation: 'relu', kernelInitializer: ctx.kernelInitializer() }).apply(input);
 *     const seq = tf.layers.reshape({ targetShape: [-1, ctx.numCeps * p.filters] }).apply(conv);
 *     return tf.model({ inputs: input, outputs: seq as SymbolicTensor });
 *   },
 *   buildDecoder(tf, p, ctx) { ... },  // [batch, frames', units] → [batch, frames, numCeps]
 *   timeStride: () => 1,
 * });
 *
 * export const plugin = definePlugin({ name: 'my-structures', version: '1', stages: [],
 *   register() { registerEncoderStructure(tinyCnn); } });
 * ```
 */
import { type Json, type JsonSchema, recordDefiningModule, SerxError } from '@serx/core/stage';
import type * as tfjs from '@tensorflow/tfjs';
import { AutoencoderErrors } from '../errors.ts';

/** The TensorFlow.js namespace a structure builds with: the `tf` of `loadTensorflow()`. */
export type { Tf } from '@serx/tf-backend';

import type { Tf } from '@serx/tf-backend';

/** A tfjs-layers initialiser, as `kernelInitializer` of a layer accepts it. */
export type KernelInitializer = ReturnType<Tf['initializers']['glorotUniform']>;

/** What a structure's builders receive besides the params. */
export interface StructureBuildContext {
  /** Cepstral coefficients per frame (40 in the paper). */
  readonly numCeps: number;
  /**
   * A fresh seeded Glorot-uniform initialiser; every call returns the next one of a sequence
   * fixed by the run's seed. Use it for every kernel so that a seed fixes the initial weights.
   */
  kernelInitializer(): KernelInitializer;
}

/** An encoder structure: a named, parameterised pair of encoder and decoder builders. */
export interface EncoderStructure<P = Record<string, Json>> {
  /** Unique across all loaded plugins, e.g. `parry-cnn`. */
  readonly name: string;
  /** One line for listings and error messages. */
  readonly description: string;
  /** JSON Schema of the params object, with a `default` for every property. */
  readonly params: JsonSchema;
  /**
   * The encoder: input `[batch, frames (null), numCeps, 1]` → bottleneck sequence
   * `[batch, ceil(frames / timeStride), units]`. Must accept any `frames` ≥ 100.
   */
  buildEncoder(tf: Tf, params: P, ctx: StructureBuildContext): tfjs.LayersModel;
  /**
   * The decoder: bottleneck `[batch, frames', units]` → `[batch, frames' * timeStride, numCeps]`
   * (the trainer crops the reconstruction to the input's frames).
   */
  buildDecoder(tf: Tf, params: P, ctx: StructureBuildContext): tfjs.LayersModel;
  /** Input frames per bottleneck step. */
  timeStride(params: P): number;
}

/**
 * Declares an encoder structure; returns its argument (it exists for typing), after noting the
 * calling module: that file's source is part of the cache key of every stage using the structure.
 */
export function defineEncoderStructure<P = Record<string, Json>>(
  structure: EncoderStructure<P>,
): EncoderStructure<P> {
  return recordDefiningModule(structure);
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds structures of any params type
type AnyStructure = EncoderStructure<any>;

const registry = new Map<string, AnyStructure>();

/**
 * Makes a structure available by name. Registering the same object again is a no-op (a plugin's
 * `register()` may run more than once); another structure under a taken name is an error.
 */
export function registerEncoderStructure(structure: AnyStructure): void {
  const existing = registry.get(structure.name);
  if (existing === structure) return;
  if (existing) {
    throw new SerxError(
      AutoencoderErrors.ENCODER_STRUCTURE_DUPLICATE,
      `encoder structure '${structure.name}' is already registered (${existing.description}); ` +
        'give the new structure another name',
    );
  }
  registry.set(structure.name, structure);
}

/** The structure registered under `name`; an unknown name lists the registered ones. */
export function getEncoderStructure(name: string): AnyStructure {
  const structure = registry.get(name);
  if (!structure) {
    const known = [...registry.keys()].sort().join(', ') || '(none: is its plugin loaded?)';
    throw new SerxError(
      AutoencoderErrors.ENCODER_STRUCTURE_UNKNOWN,
      `unknown encoder structure '${name}'; registered structures: ${known}`,
    );
  }
  return structure;
}

/** All registered structures, sorted by name. */
export function listEncoderStructures(): AnyStructure[] {
  return [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Removes a structure (tests use it to keep the registry clean). */
export function unregisterEncoderStructure(name: string): boolean {
  return registry.delete(name);
}
