// A module that defines stages but forgets to export a plugin.
export const stages = [];
export function helper(): number {
  return 1;
}
