/**
 * A request timeout that counts only time the process actually spent waiting. A plain
 * `AbortSignal.timeout` measures wall-clock time: when a synchronous native op blocks the event
 * loop for longer than the timeout, the timer fires first thing after it, before the answer that
 * arrived meanwhile is read, and a healthy server looks unreachable. Here a short ticker adds up
 * the time between its ticks, capped at two periods, so a blocked stretch counts for little.
 */
const PERIOD_MS = 250;

export interface WaitingTimeout {
  signal: AbortSignal;
  /** Stops the ticker (call when the request settled). */
  clear(): void;
}

export function waitingTimeout(timeoutMs: number): WaitingTimeout {
  const controller = new AbortController();
  let waited = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    waited += Math.min(now - last, 2 * PERIOD_MS);
    last = now;
    if (waited >= timeoutMs) {
      clearInterval(ticker);
      controller.abort(
        new DOMException(`no answer after ${Math.round(waited / 1000)} s of waiting`, 'TimeoutError'),
      );
    }
  }, PERIOD_MS);
  ticker.unref();
  return { signal: controller.signal, clear: () => clearInterval(ticker) };
}
