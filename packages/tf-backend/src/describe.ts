import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadTensorflow } from './load.ts';
import { readSetupState, type SetupState } from './state.ts';
import type { BackendName } from './types.ts';

/** What `serx doctor` prints about TensorFlow. */
export interface BackendReport {
  /** The backend this process trains on; undefined when none loads (see `error`). */
  backend?: BackendName;
  tfVersion?: string;
  libtensorflowVersion?: string;
  threads?: number;
  fallbackReason?: string;
  /** Why no backend loaded (with the fix). */
  error?: string;
  /** Whether the native addon file exists (tfjs-node built or downloaded). */
  nativeAddonPresent: boolean;
  /** SERX_BACKEND, when set. */
  forced?: string;
  setup: SetupState;
}

const require = createRequire(import.meta.url);

function nativeAddonPresent(): boolean {
  try {
    const root = dirname(require.resolve('@tensorflow/tfjs-node/package.json'));
    return existsSync(join(root, 'lib')) && existsSync(join(root, 'deps', 'lib'));
  } catch {
    return false;
  }
}

/** Loads the backend (like training would) and reports it, never throwing. */
export async function describeBackend(): Promise<BackendReport> {
  const base = {
    nativeAddonPresent: nativeAddonPresent(),
    forced: process.env.SERX_BACKEND || undefined,
    setup: readSetupState(),
  };
  try {
    const { tf: _tf, ...loaded } = await loadTensorflow({ allowCpu: true });
    return { ...base, ...loaded };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { ...base, error: `${error instanceof Error ? error.message : String(error)}${cause}` };
  }
}

/** Human-readable lines for `serx doctor`. */
export function formatBackendReport(report: BackendReport): string[] {
  if (report.error) return [`backend: none (${report.error})`];
  // The thread budget itself is core's `threads:` line; this says what the backend does with it.
  const pools = report.backend === 'tensorflow' ? `${report.threads} intra-op thread(s)` : 'single-threaded';
  const lines = [
    `backend: ${report.backend}${report.forced ? ` (forced by SERX_BACKEND=${report.forced})` : ''}, ${pools}`,
    `tfjs: ${report.tfVersion}${report.libtensorflowVersion ? `, libtensorflow ${report.libtensorflowVersion}` : ''}`,
  ];
  if (report.fallbackReason) lines.push(`fallback: ${report.fallbackReason}`);
  if (report.setup.nativeSource) lines.push(`native addon: ${report.setup.nativeSource}`);
  return lines;
}
