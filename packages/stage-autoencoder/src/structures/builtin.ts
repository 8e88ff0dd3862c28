import { parryCnn } from './parry-cnn.ts';
import { registerEncoderStructure } from './registry.ts';
import { temporalConv1d } from './temporal-conv1d.ts';

/** The structures this package ships; registered by its plugin's `register()`. */
export const builtinStructures = [parryCnn, temporalConv1d];

export function registerBuiltinStructures(): void {
  for (const structure of builtinStructures) registerEncoderStructure(structure);
}
