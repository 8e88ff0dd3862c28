import type { CodeFingerprint } from './code-fingerprint.ts';

/**
 * What differs between the code two keys were made with, one line per file or library:
 * `code changed: packages/stage-autoencoder/src/structures/parry-cnn.ts`,
 * `code added: my-plugin/wide-cnn.ts` (newly imported), `code removed: ...`,
 * `runtime @tensorflow/tfjs-node 4.21.0 → 4.22.0`.
 */
export function describeCodeChange(
  before: CodeFingerprint | undefined,
  after: CodeFingerprint | undefined,
): string[] {
  if (!before && !after) return [];
  if (!before) return ['code is now part of the key (the entry was made without it)'];
  if (!after) return ["the stage's code is no longer known (defined inline?)"];
  const out: string[] = [];
  for (const file of [...new Set([...Object.keys(before.files), ...Object.keys(after.files)])].sort()) {
    const was = before.files[file];
    const now = after.files[file];
    if (was === now) continue;
    out.push(`code ${was === undefined ? 'added' : now === undefined ? 'removed' : 'changed'}: ${file}`);
  }
  for (const name of [...new Set([...Object.keys(before.runtime), ...Object.keys(after.runtime)])].sort()) {
    const was = before.runtime[name];
    const now = after.runtime[name];
    if (was !== now) out.push(`runtime ${name} ${was ?? 'absent'} → ${now ?? 'absent'}`);
  }
  const was = new Set(before.unresolved ?? []);
  const now = new Set(after.unresolved ?? []);
  for (const entry of now) if (!was.has(entry)) out.push(`import not resolved: ${entry}`);
  for (const entry of was) if (!now.has(entry)) out.push(`import resolved now: ${entry}`);
  return out;
}
