import { expect, it } from 'vitest';
import { waitingTimeout } from './waiting-timeout.ts';

const blockThread = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

it('does not count a stretch the thread was blocked, and fires after the real waiting', async () => {
  const started = performance.now();
  const timeout = waitingTimeout(1000);
  blockThread(1500); // longer than the timeout, but nothing could have answered meanwhile
  // one turn of the event loop: the ticker fires once and counts the block as at most two periods
  // (a longer sleep here would make the verdict depend on how loaded the machine is)
  await new Promise((r) => setImmediate(r));
  expect(timeout.signal.aborted).toBe(false);
  const reason = await new Promise<DOMException>((resolve) =>
    timeout.signal.addEventListener('abort', () => resolve(timeout.signal.reason as DOMException)),
  );
  expect(reason.name).toBe('TimeoutError');
  // 1.5 s blocked counted as at most 0.5 s: the abort comes ≥ 0.5 s of waiting after the block
  expect(performance.now() - started).toBeGreaterThan(1500 + 500);
  timeout.clear();
});

it('AbortSignal.timeout, by contrast, fires as soon as a blocked thread looks at its timers', async () => {
  const signal = AbortSignal.timeout(1000);
  blockThread(1500);
  await new Promise((r) => setTimeout(r, 50));
  expect(signal.aborted).toBe(true);
});
