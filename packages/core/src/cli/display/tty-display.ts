import type { NodeState, RunEvent } from '../../run/events.ts';
import type { Display } from './display.ts';
import { bar, eta, formatDuration, STATE_MARK } from './format.ts';

interface Row {
  id: string;
  stage: string;
  state: NodeState;
  startedAt?: number;
  durationMs?: number;
  done: number;
  total: number;
  label?: string;
  detail?: string;
}

const ACTIVE: ReadonlySet<NodeState> = new Set(['running', 'waiting']);

/**
 * A live stage list for terminals: state, per-stage progress bar with ETA, redrawn in place ten
 * times a second. Log lines and warnings scroll above it.
 */
export function ttyDisplay(out: NodeJS.WriteStream): Display {
  const rows = new Map<string, Row>();
  let drawn = 0;
  let dirty = false;
  const clear = () => {
    if (drawn > 0) out.write(`\x1b[${drawn}F\x1b[0J`);
    drawn = 0;
  };
  const render = (row: Row, width: number): string => {
    const head = `${STATE_MARK[row.state] ?? '?'} ${row.id}`.padEnd(Math.min(40, Math.max(12, width / 3)));
    let tail: string = row.state;
    if (row.state === 'running' && row.total > 0) {
      const left = row.startedAt === undefined ? undefined : eta(row.startedAt, row.done, row.total);
      tail = `${bar(row.done / row.total, 20)} ${row.done}/${row.total}${row.label ? ` ${row.label}` : ''}${left === undefined ? '' : ` ETA ${formatDuration(left)}`}`;
    } else if (row.state === 'running' && row.startedAt !== undefined) {
      tail = `running ${formatDuration(Date.now() - row.startedAt)}`;
    } else if (row.durationMs !== undefined) tail = `${row.state} in ${formatDuration(row.durationMs)}`;
    if (row.detail && row.state !== 'running') tail += ` (${row.detail})`;
    return `${head} ${tail}`.slice(0, width - 1);
  };
  const draw = () => {
    dirty = false;
    clear();
    const width = out.columns || 100;
    const room = Math.max(5, (out.rows || 24) - 3);
    let shown = [...rows.values()];
    if (shown.length > room) {
      const active = shown.filter((r) => ACTIVE.has(r.state) || r.state === 'failed');
      const rest = shown.filter((r) => !active.includes(r));
      shown = [...active, ...rest.filter((r) => r.state !== 'pending').slice(-(room - active.length))].slice(
        0,
        room,
      );
    }
    const counts = new Map<string, number>();
    for (const r of rows.values()) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
    const lines = [
      ...shown.map((r) => render(r, width)),
      [...counts].map(([s, n]) => `${n} ${s}`).join(', '),
    ];
    out.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  let ticks = 0;
  // state changes show within 100 ms; running clocks and ETAs refresh twice a second
  const timer = setInterval(() => {
    ticks++;
    if (dirty || (ticks % 5 === 0 && [...rows.values()].some((r) => ACTIVE.has(r.state)))) draw();
  }, 100);
  timer.unref();
  const above = (text: string) => {
    clear();
    out.write(`${text}\n`);
    draw();
  };
  return {
    onEvent(event: RunEvent) {
      switch (event.type) {
        case 'run-start':
          for (const n of event.nodes)
            rows.set(n.id, { id: n.id, stage: n.stage, state: 'pending', done: 0, total: 0 });
          draw();
          return;
        case 'state': {
          const row = rows.get(event.id);
          if (!row) return;
          row.state = event.state;
          if (event.state === 'running') row.startedAt = Date.now();
          if (event.durationMs !== undefined) row.durationMs = event.durationMs;
          row.detail = event.detail;
          if (event.state === 'failed') above(`✗ ${event.id}: ${event.detail ?? 'failed'}`);
          break;
        }
        case 'progress': {
          const row = rows.get(event.id);
          if (!row) return;
          Object.assign(row, { done: event.done, total: event.total, label: event.label });
          break;
        }
        case 'log':
          if (event.level !== 'debug') above(`${event.id}: ${event.message}`);
          return;
        case 'warning':
          above(`warning: ${event.message}`);
          return;
        case 'run-end': {
          draw();
          const c = event.summary.counts;
          out.write(
            `run ${event.summary.status} in ${formatDuration(event.summary.durationMs)}: ${c.succeeded} ran, ${c.cached} cached, ${c.failed} failed, ${c.skipped} skipped, ${c.interrupted} interrupted\n`,
          );
          drawn = 0;
          return;
        }
      }
      dirty = true;
    },
    close() {
      clearInterval(timer);
      if (dirty) draw();
    },
  };
}
