import type { ProvisionStep } from '@serx/core/stage';

interface BackendProvisioning {
  ensureBackend(options: { force?: boolean; retry?: string }): Promise<void>;
  backendReady(): { ok: boolean; detail: string };
}

/**
 * provision/backend.mjs: plain JS beside src/ (and dist/ once packed), since the repo's
 * scripts/setup.mjs runs it before node_modules exists. Loaded only when the step runs.
 */
function provisioning(): Promise<BackendProvisioning> {
  return import(new URL('../provision/backend.mjs', import.meta.url).href) as Promise<BackendProvisioning>;
}

/**
 * The `serx setup` step that makes the native TensorFlow backend work for the installed
 * `@tensorflow/tfjs-node` (PyPI-wheel route, wasm fallback; see provision/). The plugins that train
 * with TensorFlow list it in `definePlugin({ provision: [tensorflowProvisionStep] })`; setup runs
 * it once.
 */
export const tensorflowProvisionStep: ProvisionStep = {
  name: 'tensorflow',
  async check() {
    return (await provisioning()).backendReady();
  },
  async run({ force, retryCommand }) {
    await (await provisioning()).ensureBackend({ force, retry: retryCommand });
  },
};
