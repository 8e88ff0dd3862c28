export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
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
