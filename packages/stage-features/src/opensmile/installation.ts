import { readFile } from 'node:fs/promises';
import { ErrorCodes, SerxError } from '@serx/core/stage';

/** A provisioned openSMILE: the library, its configs, and the addon that calls it from Node. */
export interface OpensmileInstallation {
  version: string;
  home: string;
  library: string;
  configs: string;
  addon: string;
  /** sha256 of libSMILEapi, recorded at provisioning: part of the stage's cache key. */
  librarySha256: string;
}

interface ProvisionScript {
  OPENSMILE: { name: string; version: string };
  opensmilePaths(): {
    home: string;
    wheels: string;
    manifest: string;
    library: string;
    configs: string;
    addon: string;
  };
  opensmileState(): { ok: boolean; detail: string };
  ensureOpensmile(options: { force?: boolean; quiet?: boolean }): void;
}

/**
 * native/opensmile.mjs: plain JS beside src/ (and dist/ once packed), since the repo's
 * scripts/setup.mjs runs it as a script too. Loaded only when needed.
 */
export function provisionScript(): Promise<ProvisionScript> {
  return import(new URL('../../native/opensmile.mjs', import.meta.url).href) as Promise<ProvisionScript>;
}

/** The command that provisions openSMILE, for messages. */
export const PROVISION_COMMAND = 'npx serx setup --with opensmile';

/**
 * The provisioned openSMILE, or `ENVIRONMENT` naming the command that provisions it (opt-in: the
 * library is under audEERING's research licence, for non-commercial use only).
 */
export async function findOpensmile(stage: string): Promise<OpensmileInstallation> {
  const script = await provisionScript();
  const state = script.opensmileState();
  if (!state.ok)
    throw new SerxError(
      ErrorCodes.ENVIRONMENT,
      `${stage}: openSMILE is not ready (${state.detail}); run \`${PROVISION_COMMAND}\` (it downloads the \`opensmile\` wheel from PyPI; audEERING research licence, non-commercial use only)`,
    );
  const paths = script.opensmilePaths();
  const manifest = JSON.parse(await readFile(paths.manifest, 'utf8')) as {
    version: string;
    librarySha256: string;
  };
  return {
    version: manifest.version,
    home: paths.home,
    library: paths.library,
    configs: paths.configs,
    addon: paths.addon,
    librarySha256: manifest.librarySha256,
  };
}
