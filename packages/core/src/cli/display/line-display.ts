import type { RunEvent } from '../../run/events.ts';
import type { Display } from './display.ts';
import { formatDuration } from './format.ts';

/** One plain line per state change, log line and (every 10%) progress step: for logs and CI. */
export function lineDisplay(out: NodeJS.WritableStream, err: NodeJS.WritableStream): Display {
  const steps = new Map<string, number>();
  const time = () => new Date().toISOString().slice(11, 19);
  const say = (text: string) => out.write(`${time()} ${text}\n`);
  return {
    onEvent(event: RunEvent) {
      switch (event.type) {
        case 'run-start':
          say(`run ${event.runId} of '${event.spec}': ${event.nodes.length} stage(s)`);
          break;
        case 'state': {
          const took = event.durationMs === undefined ? '' : ` in ${formatDuration(event.durationMs)}`;
          say(`${event.id}: ${event.state}${took}${event.detail ? ` (${event.detail})` : ''}`);
          break;
        }
        case 'progress': {
          if (event.total <= 0) break;
          const step = Math.floor((event.done / event.total) * 10);
          if (steps.get(event.id) === step && event.done < event.total) break;
          steps.set(event.id, step);
          say(`${event.id}: ${event.label ? `${event.label} ` : ''}${event.done}/${event.total}`);
          break;
        }
        case 'log':
          if (event.level !== 'debug')
            say(`${event.id}: ${event.level === 'warn' ? 'warning: ' : ''}${event.message}`);
          break;
        case 'warning':
          err.write(`${time()} warning: ${event.message}\n`);
          break;
        case 'run-end': {
          const c = event.summary.counts;
          say(
            `run ${event.summary.status} in ${formatDuration(event.summary.durationMs)}: ${c.succeeded} ran, ${c.cached} cached, ` +
              `${c.failed} failed, ${c.skipped} skipped, ${c.interrupted} interrupted${event.summary.recordPath ? `; record ${event.summary.recordPath}` : ''}`,
          );
          break;
        }
      }
    },
    close() {},
  };
}
