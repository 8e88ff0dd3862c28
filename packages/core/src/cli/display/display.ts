import type { RunEvent } from '../../run/events.ts';

/** Renders run events on a terminal or a log. */
export interface Display {
  onEvent(event: RunEvent): void;
  /** Final redraw; called once after the run. */
  close(): void;
}
