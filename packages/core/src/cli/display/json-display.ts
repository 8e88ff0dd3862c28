import type { RunEvent } from '../../run/events.ts';
import type { Display } from './display.ts';

/**
 * JSON lines, one event per line (`{"type":"state",...}`); progress at most once a second per
 * stage (and always the last step). The final line is the `run-end` summary.
 */
export function jsonDisplay(out: NodeJS.WritableStream): Display {
  const last = new Map<string, number>();
  const write = (value: object) =>
    out.write(`${JSON.stringify({ time: new Date().toISOString(), ...value })}\n`);
  return {
    onEvent(event: RunEvent) {
      if (event.type === 'progress') {
        const now = Date.now();
        if (event.done < event.total && now - (last.get(event.id) ?? 0) < 1000) return;
        last.set(event.id, now);
      }
      if (event.type === 'run-end') {
        const { errors, ...summary } = event.summary;
        write({
          type: 'run-end',
          summary: { ...summary, errors: errors.map((e) => ({ code: e.code, message: e.message })) },
        });
        return;
      }
      write(event);
    },
    close() {},
  };
}
