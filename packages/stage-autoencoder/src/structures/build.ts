import { type Json, SerxError } from '@serx/core';
import type * as tfjs from '@tensorflow/tfjs';
import { AutoencoderErrors } from '../errors.ts';
import { resolveStructureParams } from './params.ts';
import { getEncoderStructure, type Tf } from './registry.ts';
import { seededKernelInitializers } from './seeded-init.ts';

/** A structure reference as stored in `structure.json` and written in specs. */
export interface StructureRef {
  name: string;
  params: { [key: string]: Json };
}

export interface BuiltStructure {
  /** The reference with every default filled in (what `structure.json` stores). */
  ref: StructureRef;
  encoder: tfjs.LayersModel;
  /** Absent when only the encoder was asked for. */
  decoder: tfjs.LayersModel | undefined;
  timeStride: number;
  /** Width of the bottleneck sequence. */
  units: number;
}

export interface BuildOptions {
  numCeps: number;
  seed: number;
  /** Build the decoder too (default true). */
  decoder?: boolean;
  /** Where the params came from in the spec, for error messages (`stages.ae.params.structureParams`). */
  specPath?: string;
}

/**
 * Builds a registered structure by name: validates its params, seeds its initialisers, and checks
 * that the models it returns have the shapes the contract promises.
 */
export function buildStructure(
  tf: Tf,
  ref: { name: string; params?: { [key: string]: Json } },
  options: BuildOptions,
): BuiltStructure {
  const structure = getEncoderStructure(ref.name);
  const params = resolveStructureParams(structure, ref.params ?? {}, options.specPath);
  const ctx = { numCeps: options.numCeps, kernelInitializer: seededKernelInitializers(tf, options.seed) };
  const encoder = structure.buildEncoder(tf, params, ctx);
  const inShape = encoder.inputs[0]?.shape;
  const outShape = encoder.outputs[0]?.shape;
  if (
    !inShape ||
    inShape.length !== 4 ||
    inShape[2] !== options.numCeps ||
    inShape[3] !== 1 ||
    !outShape ||
    outShape.length !== 3
  ) {
    throw invalid(
      ref.name,
      `encoder must map [batch, frames, ${options.numCeps}, 1] to [batch, frames', units]; got ${fmt(inShape)} → ${fmt(outShape)}`,
    );
  }
  const units = outShape[2];
  if (typeof units !== 'number')
    throw invalid(ref.name, `encoder output width must be fixed; got ${fmt(outShape)}`);
  let decoder: tfjs.LayersModel | undefined;
  if (options.decoder !== false) {
    decoder = structure.buildDecoder(tf, params, ctx);
    const dIn = decoder.inputs[0]?.shape;
    const dOut = decoder.outputs[0]?.shape;
    if (
      !dIn ||
      dIn.length !== 3 ||
      dIn[2] !== units ||
      !dOut ||
      dOut.length !== 3 ||
      dOut[2] !== options.numCeps
    ) {
      throw invalid(
        ref.name,
        `decoder must map [batch, frames', ${units}] to [batch, frames, ${options.numCeps}]; got ${fmt(dIn)} → ${fmt(dOut)}`,
      );
    }
  }
  const timeStride = structure.timeStride(params);
  return {
    ref: { name: ref.name, params: params as { [key: string]: Json } },
    encoder,
    decoder,
    timeStride,
    units,
  };
}

function invalid(name: string, message: string): SerxError {
  return new SerxError(
    AutoencoderErrors.ENCODER_STRUCTURE_INVALID,
    `encoder structure '${name}': ${message}`,
  );
}

function fmt(shape: readonly (number | null)[] | undefined): string {
  return shape ? `[${shape.map((d) => (d === null ? 'null' : d)).join(', ')}]` : 'nothing';
}
