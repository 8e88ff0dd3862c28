import { describe, expect, it } from 'vitest';
import type { GraphNode } from '../graph/types.ts';
import { createSlots, heavyStagesAtOnce } from './slots.ts';

const node = (heavy: boolean) =>
  ({ definition: { resources: { class: heavy ? 'cpu-heavy' : 'light' } } }) as unknown as GraphNode;

/** Runs `n` stages through the slots at once; returns the most that were inside at the same time. */
async function peak(slot: ReturnType<typeof createSlots>, nodes: GraphNode[]): Promise<number> {
  let inside = 0;
  let most = 0;
  await Promise.all(
    nodes.map((n) =>
      slot(n, async () => {
        most = Math.max(most, ++inside);
        await new Promise((r) => setImmediate(r));
        inside--;
      }),
    ),
  );
  return most;
}

describe('slots', () => {
  it('fit as many heavy stages as the cores hold at the thread budget', () => {
    expect(heavyStagesAtOnce(2, 2)).toBe(1); // the default budget: all cores to one stage
    expect(heavyStagesAtOnce(2, 1)).toBe(2); // --threads 1 on 2 cores
    expect(heavyStagesAtOnce(8, 3)).toBe(2);
    expect(heavyStagesAtOnce(2, 64)).toBe(1);
  });

  it('run at most heavyAtOnce heavy stages, and light ones up to jobs', async () => {
    expect(await peak(createSlots(4), [true, true, true].map(node))).toBe(1);
    expect(await peak(createSlots(4, 2), [true, true, true].map(node))).toBe(2);
    expect(await peak(createSlots(1, 2), [true, true, true].map(node))).toBe(1);
    expect(await peak(createSlots(3, 1), [false, false, false, false].map(node))).toBe(3);
  });
});
