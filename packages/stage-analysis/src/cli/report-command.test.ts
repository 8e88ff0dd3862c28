import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/context.ts';
import { reportCommand } from './report-command.ts';

const SPEC = join(import.meta.dirname, '../../test/cli/report.yaml');

function io(cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = { out: '', err: '' };
  stdout.on('data', (d) => (text.out += d));
  stderr.on('data', (d) => (text.err += d));
  return { io: { stdout, stderr, cwd, env: { ...process.env, MLFLOW_TRACKING_URI: '' } }, text };
}

describe('serx report <spec>', () => {
  it('runs what the report needs, then writes HTML with the spec, Table 2, claims, figures, timings and cache hits', async () => {
    const cwd = await tempDir();
    const cache = join(cwd, 'cache');
    const first = io(cwd);
    expect(await reportCommand.run([SPEC, '--cache', cache, '--out', 'out'], first.io)).toBe(0);
    expect(first.text.err).toMatch(/ {2}succeeded +report in \d/);
    expect(first.text.out.trim().split('\n')).toEqual([
      join(cwd, 'out', 'report.html'),
      join(cwd, 'out', 'report.md'),
    ]);
    const doc = parse(await readFile(join(cwd, 'out', 'report.html'), 'utf8'));
    expect(doc.querySelector('#spec')!.text).toContain(
      'UA on tess of pred_frozen minus pred_scratch >= 0.05',
    );
    expect(doc.querySelectorAll('#table2 td[data-corpus]').map((td) => td.getAttribute('data-n'))).toEqual([
      '3',
      '3',
      '3',
      '3',
      '3',
      '3',
    ]);
    expect(
      doc.querySelectorAll('#claims td[data-verdict]').map((td) => td.getAttribute('data-verdict')),
    ).toEqual(['holds']);
    expect(doc.querySelectorAll('figure').map((f) => f.id)).toEqual([
      'fig-comparison',
      'fig-confusion',
      'fig-tsne-1',
      'fig-tsne-2',
      'fig-tsne-3',
    ]);
    // the figures are the stage's own: real SVG in the files and inside each HTML figure, not their names
    const svgFile = await readFile(join(cwd, 'out', 'figures', 'comparison.svg'), 'utf8');
    expect(svgFile.startsWith('<svg')).toBe(true);
    expect(doc.querySelector('#fig-comparison svg')).not.toBeNull();
    expect(doc.querySelector('#fig-comparison')!.text).not.toContain('figures/comparison.svg');
    const silhouettes = doc
      .querySelectorAll('#silhouette-summary tbody tr')
      .map((r) => r.querySelectorAll('td').map((td) => td.text));
    expect(silhouettes.map((r) => [r[0], r[1]])).toEqual([
      ['CNN-LSTM (from scratch)', '3'],
      ['CNN-LSTM + pre-trained encoder', '3'],
    ]);
    expect(Number.parseFloat(silhouettes[1]![2]!)).toBeGreaterThan(Number.parseFloat(silhouettes[0]![2]!));
    const statuses = () =>
      Object.fromEntries(
        doc
          .querySelectorAll('#timings tbody tr')
          .map((r) => [r.querySelectorAll('td')[0]!.text, r.querySelectorAll('td')[2]!.text]),
      );
    expect(Object.keys(statuses())).toHaveLength(6 + 6 + 3 + 1); // predictions, evaluations (per seed), t-SNE per seed, report
    expect(Object.values(statuses()).every((s) => s === 'succeeded')).toBe(true);

    // second time: everything is a cache hit, compute times come from the first run's record
    const second = io(cwd);
    expect(await reportCommand.run([SPEC, '--cache', cache, '--out', 'out2'], second.io)).toBe(0);
    expect(second.text.err).toMatch(/ {2}cached +report/);
    const again = parse(await readFile(join(cwd, 'out2', 'report.html'), 'utf8'));
    const rows = again
      .querySelectorAll('#timings tbody tr')
      .map((r) => r.querySelectorAll('td').map((td) => td.text));
    expect(rows.every((r) => r[2] === 'cache hit')).toBe(true);
    expect(rows.every((r) => r[3] !== '–')).toBe(true);
    expect(again.querySelector('#table2')!.toString()).toBe(doc.querySelector('#table2')!.toString());

    // with overrides: the spec section names them; seeds 1 and 2 are cache hits of the full run
    const third = io(cwd);
    const overrides = ['--matrix', 'seed=1,2', '--set', 'report.title=Two seeds'];
    expect(await reportCommand.run([SPEC, '--cache', cache, '--out', 'out3', ...overrides], third.io)).toBe(
      0,
    );
    expect(third.text.err).toMatch(/ {2}cached +eval_frozen\[seed=2\]/);
    const overridden = parse(await readFile(join(cwd, 'out3', 'report.html'), 'utf8'));
    expect(overridden.querySelectorAll('#overrides li').map((li) => li.text)).toEqual([
      '--matrix seed=1,2',
      '--set report.title=Two seeds',
    ]);
    expect(overridden.querySelector('h1')!.text).toBe('Two seeds');
    expect(
      overridden.querySelectorAll('#table2 td[data-corpus]').every((td) => td.getAttribute('data-n') === '2'),
    ).toBe(true);
    const markdown = await readFile(join(cwd, 'out3', 'report.md'), 'utf8');
    expect(markdown).toContain(
      'With command-line overrides, applied over the file below in this order:\n\n- `--matrix seed=1,2`\n- `--set report.title=Two seeds`\n',
    );
  });

  it('is a usage error (exit 2) for a spec without a report stage', async () => {
    const cwd = await tempDir();
    await expect(
      reportCommand.run([SPEC, '--stage', 'nope', '--cache', join(cwd, 'c')], io(cwd).io),
    ).rejects.toMatchObject({ code: 'USAGE' });
  });
});
