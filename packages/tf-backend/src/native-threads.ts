/**
 * Sets libtensorflow's thread pools; returns the intra-op count in effect. libtensorflow reads
 * TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS when it creates its eager context, which
 * tfjs-node does on first use of the backend, so they are set before that (an explicit value in the
 * environment wins). The wasm backend is single-threaded in Node (tfjs-backend-wasm reports no
 * multithread support outside browsers), so it has no pools to size.
 */
export function applyNativeThreads(threads: number): number {
  process.env.TF_NUM_INTRAOP_THREADS ??= String(threads);
  process.env.TF_NUM_INTEROP_THREADS ??= String(Math.min(2, threads));
  // libtensorflow's INFO lines (oneDNN, CPU features) are noise on every start.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';
  return Number(process.env.TF_NUM_INTRAOP_THREADS);
}
