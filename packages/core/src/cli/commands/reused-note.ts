/** `reused entry 3f9a1c2b4d5e across a code change (code changed: a.ts)`, for plan and why. */
export function reusedNote(reused: { from: string; changes: string[] }): string {
  return `reused entry ${reused.from.slice(0, 12)} across a code change (${reused.changes.join('; ')}) with --reuse-across-code-change`;
}
