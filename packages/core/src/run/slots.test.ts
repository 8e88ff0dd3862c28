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

  it('give a free heavy slot to the waiting stage of highest priority, ties in the order they asked', async () => {
    const nodes = ['first', 'low', 'high', 'mid', 'mid2'].map((id) => ({ ...node(true), id }) as GraphNode);
    const priority: { [id: string]: number } = { first: 0, low: 1, high: 3, mid: 2, mid2: 2 };
    const slot = createSlots(4, 1, (n) => priority[n.id] ?? 0);
    const entered: string[] = [];
    await Promise.all(
      nodes.map((n) =>
        slot(n, async () => {
          entered.push(n.id);
          await new Promise((r) => setImmediate(r));
        }),
      ),
    );
    // `first` took the free slot at once; the others queued behind it
    expect(entered).toEqual(['first', 'high', 'mid', 'mid2', 'low']);
  });
});
