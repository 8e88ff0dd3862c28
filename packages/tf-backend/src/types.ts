/** The tfjs namespace serx trains with (`@tensorflow/tfjs`, or tfjs-node which re-exports it). */
export type Tf = typeof import('@tensorflow/tfjs');

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** What {@link loadTensorflow} loaded. */
export interface LoadedBackend {
  tf: Tf;
  backend: BackendName;
  /** Version of @tensorflow/tfjs-core. */
  tfVersion: string;
  /** Version of the native libtensorflow (backend `tensorflow` only). */
  libtensorflowVersion?: string;
  /** Intra-op thread budget in effect (wasm in Node is single-threaded: always 1). */
  threads: number;
  /** Why this backend and not the native one, when it is not the native one. */
  fallbackReason?: string;
}
