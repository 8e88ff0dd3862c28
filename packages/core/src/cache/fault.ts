/**
 * Crash-test hook: when `SERX_FAULT=<point>` or `<point>@<n>` (the n-th time, 1-based) names this
 * point, the process SIGKILLs itself there. Used by the reliability tests to kill the runner at
 * exact places; inert otherwise.
 */
const spec = process.env.SERX_FAULT;
const counts = new Map<string, number>();

export function faultPoint(point: string): void {
  if (!spec) return;
  const [name, nth] = spec.split('@');
  if (name !== point) return;
  const count = (counts.get(point) ?? 0) + 1;
  counts.set(point, count);
  if (count === Number(nth ?? 1)) process.kill(process.pid, 'SIGKILL');
}
