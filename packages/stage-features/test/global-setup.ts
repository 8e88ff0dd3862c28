import { provisionScript } from '../src/opensmile/installation.ts';

/**
 * The tests provision openSMILE for themselves (`npm test` does, through scripts/setup.mjs, too):
 * the conformance test and the stage tests need the real library. Idempotent; seconds when done.
 */
export default async function provisionOpensmile(): Promise<void> {
  (await provisionScript()).ensureOpensmile({ quiet: true });
}
