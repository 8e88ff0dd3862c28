import type { Logger } from '@serx/core';

/** Logs `label: done/total (rate/s, ETA)` at most every `everyMs` and at the end. */
export function etaLogger(log: Logger, label: string, total: number, everyMs = 10_000) {
  const start = Date.now();
  let last = start;
  return (done: number) => {
    const now = Date.now();
    if (done < total && now - last < everyMs) return;
    last = now;
    const seconds = (now - start) / 1000;
    const rate = done / Math.max(seconds, 1e-3);
    const eta =
      done < total
        ? `, ETA ${Math.ceil((total - done) / Math.max(rate, 1e-9))} s`
        : `, ${seconds.toFixed(1)} s`;
    log.info(`${label}: ${done}/${total} (${rate.toFixed(1)}/s${eta})`);
  };
}
