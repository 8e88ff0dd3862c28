import { describe, expect, it } from 'vitest';
import { pluginCheckLines, pluginsLine } from '../../src/cli/commands/doctor.ts';
import { type DoctorCheck, definePlugin, type SerxPlugin } from '../../src/contract.ts';

let runs = 0;
const shared: DoctorCheck = {
  name: 'shared backend',
  async run() {
    runs++;
    return ['backend: fine'];
  },
};
const broken: DoctorCheck = {
  name: 'broken',
  async run() {
    throw new Error('probe crashed\nstack...');
  },
};
const plugin = (name: string, doctor: DoctorCheck[], stages = 0): SerxPlugin =>
  definePlugin({ name, version: '1.2.3', stages: Array(stages).fill(undefined), doctor });

describe('serx doctor', () => {
  it('runs a check two plugins share once, and reports a check that throws instead of failing', async () => {
    const lines = await pluginCheckLines([
      plugin('a', [shared]),
      plugin('b', [shared, broken]),
      plugin('c', []),
    ]);
    expect(lines).toEqual(['backend: fine', 'broken: check failed (probe crashed)']);
    expect(runs).toBe(1);
  });

  it('counts stages in the singular and the plural', () => {
    expect(pluginsLine([plugin('a', [], 1), plugin('b', [], 4)])).toBe(
      'plugins: a@1.2.3 (1 stage), b@1.2.3 (4 stages)',
    );
    expect(pluginsLine([])).toBe('plugins: none of the default plugins is installed');
  });
});
