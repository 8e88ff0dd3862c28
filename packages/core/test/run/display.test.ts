import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonDisplay } from '../../src/cli/display/json-display.ts';
import { lineDisplay } from '../../src/cli/display/line-display.ts';
import { ttyDisplay } from '../../src/cli/display/tty-display.ts';
import type { RunEvent, RunSummary } from '../../src/index.ts';

class Screen extends Writable {
  text = '';
  isTTY = true;
  columns = 80;
  rows = 24;
  override _write(chunk: Buffer, _: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

const summary: RunSummary = {
  runId: 'r1',
  status: 'succeeded',
  recordPath: '/c/runs/r1.json',
  durationMs: 65_000,
  stages: {},
  counts: { cached: 1, succeeded: 1, failed: 0, skipped: 0, interrupted: 0 },
  errors: [],
};

const events: RunEvent[] = [
  {
    type: 'run-start',
    runId: 'r1',
    spec: 's',
    nodes: [
      { id: 'mfcc', stage: 'features:mfcc' },
      { id: 'train', stage: 'ser:train' },
    ],
  },
  { type: 'state', id: 'mfcc', state: 'cached', key: 'k1' },
  { type: 'state', id: 'train', state: 'running', key: 'k2' },
  { type: 'progress', id: 'train', done: 0, total: 20, label: 'epochs' },
];

afterEach(() => vi.useRealTimers());

describe('displays', () => {
  it('draws a live stage list with bar and ETA on a terminal', () => {
    vi.useFakeTimers({ now: 0 });
    const screen = new Screen();
    const display = ttyDisplay(screen as unknown as NodeJS.WriteStream);
    for (const e of events) display.onEvent(e);
    vi.advanceTimersByTime(10_000);
    display.onEvent({ type: 'progress', id: 'train', done: 5, total: 20, label: 'epochs' });
    vi.advanceTimersByTime(100);
    const frames = screen.text.split('\x1b[');
    const last = frames.at(-1) as string;
    expect(last).toContain('≡ mfcc');
    expect(last).toMatch(/▶ train\s+█████░{15} 5\/20 epochs ETA 30\.3s/);
    expect(last).toContain('1 cached, 1 running');
    display.onEvent({ type: 'warning', message: 'disk almost full' });
    expect(screen.text).toContain('warning: disk almost full\n');
    display.onEvent({ type: 'run-end', summary });
    display.close();
    expect(
      screen.text.endsWith('run succeeded in 1m05s: 1 ran, 1 cached, 0 failed, 0 skipped, 0 interrupted\n'),
    ).toBe(true);
  });

  it('logs plain lines (progress every 10%) and JSON lines', () => {
    const out = new Screen();
    const err = new Screen();
    const lines = lineDisplay(out, err);
    for (const e of events) lines.onEvent(e);
    for (let done = 1; done <= 20; done++)
      lines.onEvent({ type: 'progress', id: 'train', done, total: 20, label: 'epochs' });
    lines.onEvent({ type: 'state', id: 'train', state: 'succeeded', durationMs: 1500 });
    const text = out.text.replace(/^\d\d:\d\d:\d\d /gm, '');
    expect(text).toBe(
      [
        "run r1 of 's': 2 stage(s)",
        'mfcc: cached',
        'train: running',
        'train: epochs 0/20',
        ...[2, 4, 6, 8, 10, 12, 14, 16, 18, 20].map((n) => `train: epochs ${n}/20`),
        'train: succeeded in 1.5s',
        '',
      ].join('\n'),
    );
    const json = new Screen();
    const display = jsonDisplay(json);
    for (const e of events) display.onEvent(e);
    display.onEvent({ type: 'run-end', summary });
    const parsed = json.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(parsed.map((p) => p.type)).toEqual(['run-start', 'state', 'state', 'progress', 'run-end']);
    expect(parsed[4].summary).toMatchObject({ status: 'succeeded', errors: [] });
  });
});
