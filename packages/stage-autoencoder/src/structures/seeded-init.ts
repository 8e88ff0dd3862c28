import type { KernelInitializer, Tf } from './registry.ts';

/**
 * A factory of Glorot-uniform initialisers whose seeds follow from `seed`: building the same
 * structure twice with the same seed gives the same weights, whatever the backend.
 */
export function seededKernelInitializers(tf: Tf, seed: number): () => KernelInitializer {
  let next = 0;
  return () => tf.initializers.glorotUniform({ seed: seed * 1000 + next++ });
}
