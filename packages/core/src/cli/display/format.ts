/** `840ms`, `12.3s`, `2m05s`, `1h07m`. Rounds once, at the shown unit, so 119.6 s is `2m00s`, not `1m60s`. */
export function formatDuration(ms: number): string {
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  const minutes = Math.round(ms / 60_000);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export function bar(fraction: number, width: number): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** Remaining time from the rate so far; undefined until there is a rate. */
export function eta(startedAt: number, done: number, total: number, now = Date.now()): number | undefined {
  if (done <= 0 || total <= 0 || done >= total) return undefined;
  return ((now - startedAt) / done) * (total - done);
}

export const STATE_MARK: Record<string, string> = {
  pending: '·',
  waiting: '⏸',
  running: '▶',
  cached: '≡',
  succeeded: '✓',
  failed: '✗',
  skipped: '-',
  interrupted: '!',
};

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
