import { cp, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Graph } from '@serx/core';
import { type CliCommand, ErrorCodes, SerxError } from '@serx/core/stage';
import type { ReportModel } from '../report/model.ts';
import { runTimings } from './run-timings.ts';

const usage =
  'serx report <spec> [--set PATH=VALUE]... [--matrix AXIS=v1,v2]... [--stage <id>] [--out <dir>] [--cache <dir>] [--plugin <pkg>]...';

function usageError(message: string): SerxError {
  return new SerxError(ErrorCodes.USAGE, `${message}\nusage: ${usage}`);
}

function reportNodes(graph: Graph, stage: string | undefined): string[] {
  const ids = graph.order.filter((id) => {
    const node = graph.nodes.get(id)!;
    return (
      node.definition.name === 'analysis:report' &&
      (stage === undefined || node.stageId === stage || id === stage)
    );
  });
  if (ids.length === 0) {
    throw usageError(
      stage
        ? `spec '${graph.spec.name}' has no analysis:report stage '${stage}'`
        : `spec '${graph.spec.name}' has no analysis:report stage`,
    );
  }
  return ids;
}

/**
 * `serx report <spec>`: runs what the spec's report stage(s) need (cache hits are reused), then
 * writes each report with the spec and the run's timings and cache hits added, as one
 * self-contained `report.html` plus `report.md`, Table 2 CSV and PNG figures under `--out`
 * (default `reports/<spec name>[-<stage>]`).
 */
export const reportCommand: CliCommand = {
  name: 'report',
  summary:
    'run a spec up to its report stage and write the HTML + Markdown report (spec, Table 2, claims, figures, timings)',
  usage,
  async run(argv, io) {
    // the pipeline is imported when the command runs, not when the plugin loads (start-up)
    const { loadSpec, openCache, overridesOf, runGraph } = await import('@serx/core');
    const parse = () =>
      parseArgs({
        args: argv,
        allowPositionals: true,
        tokens: true,
        options: {
          set: { type: 'string', multiple: true },
          matrix: { type: 'string', multiple: true },
          stage: { type: 'string' },
          out: { type: 'string' },
          cache: { type: 'string' },
          plugin: { type: 'string', multiple: true },
          help: { type: 'boolean', short: 'h' },
        },
      });
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse();
    } catch (error) {
      throw usageError((error as Error).message);
    }
    const { values, positionals, tokens } = parsed;
    const overrides = overridesOf(tokens);
    if (values.help) {
      io.stdout.write(`usage: ${usage}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw usageError('report takes exactly one spec file');
    const specFile = resolve(io.cwd, positionals[0]!);
    const graph = await loadSpec(specFile, {
      env: io.env,
      plugins: values.plugin ?? [],
      cwd: io.cwd,
      overrides,
    });
    const ids = reportNodes(graph, values.stage);
    const cache = await openCache(resolve(io.cwd, values.cache ?? (io.env.SERX_CACHE || '.serx/cache')));
    io.stderr.write(`serx report: running ${ids.join(', ')} and what it needs (cached stages are reused)\n`);
    const summary = await runGraph(graph, {
      cache,
      only: ids,
      onEvent: (event) => {
        // one line per finished stage: the report may have hours of training upstream
        if (
          event.type === 'state' &&
          ['cached', 'succeeded', 'failed', 'skipped', 'interrupted'].includes(event.state)
        ) {
          const took = event.durationMs === undefined ? '' : ` in ${(event.durationMs / 1000).toFixed(1)} s`;
          io.stderr.write(
            `  ${event.state.padEnd(11)} ${event.id}${took}${event.detail ? `: ${event.detail}` : ''}\n`,
          );
        } else if (event.type === 'warning') {
          io.stderr.write(`  warning: ${event.message}\n`);
        }
      },
    });
    if (summary.status !== 'succeeded') {
      for (const e of summary.errors) io.stderr.write(`${e.format()}\n`);
      io.stderr.write(
        `serx report: the run ${summary.status}; no report written (run record ${summary.recordPath})\n`,
      );
      return summary.status === 'interrupted' ? 130 : 1;
    }
    const run = await runTimings(graph, cache, summary);
    const specText = await readFile(specFile, 'utf8');
    // the renderer (figures, HTML) is loaded only by a command that writes a report
    const { REPORT_FILES, writeReport } = await import('../report/write-report.ts');
    for (const id of ids) {
      const key = summary.stages[id]?.key;
      const entry = key ? await cache.lookup(key) : { status: 'miss' as const };
      if (entry.status !== 'hit')
        throw new SerxError(
          ErrorCodes.CACHE_CORRUPT,
          `report stage ${id} finished but its cache entry is ${entry.status}`,
        );
      const source = join(entry.path, 'report');
      const model = JSON.parse(await readFile(join(source, REPORT_FILES.model), 'utf8')) as ReportModel;
      const suffix = ids.length > 1 ? `-${id.replace(/[^A-Za-z0-9_.-]+/g, '_')}` : '';
      const out = resolve(
        io.cwd,
        values.out ? `${values.out}${suffix}` : join('reports', `${graph.spec.name}${suffix}`),
      );
      await cp(join(source, 'figures'), join(out, 'figures'), { recursive: true });
      const spec = {
        file: specFile,
        text: specText,
        ...(overrides.length ? { overrides: overrides.map((o) => `${o.flag} ${o.text}`) } : {}),
      };
      // report.json names each figure's SVG file (the stage wrote the SVGs beside it): read them back,
      // and the PNGs, or the rewritten report would carry file names where its figures belong
      const figures = await Promise.all(
        model.figures.map(async (f) => ({ ...f, svg: await readFile(join(source, f.svg), 'utf8') })),
      );
      const pngs: { [name: string]: Buffer } = {};
      for (const f of model.figures) {
        const png = await readFile(join(source, f.png)).catch(() => null);
        if (png) pngs[f.name] = png;
      }
      await writeReport(out, { ...model, figures, spec, run }, pngs);
      io.stdout.write(`${join(out, REPORT_FILES.html)}\n${join(out, REPORT_FILES.markdown)}\n`);
    }
    return 0;
  },
};
