#!/usr/bin/env node
// docs/results.md from the cache: for each spec, `serx report` (cache hits only when the runs are
// done) writes the full report under docs/results/<name>/, and this page collects each experiment's
// Table 2, claims, what varied, the runs that computed it (commit, wall time, machine) and its
// figures. No number here is typed by hand; rerun after a run finishes:
//
//   node scripts/results.mjs [--cache DIR] [--out docs/results.md] [--reference FILE] experiments/paper.yaml experiments/ablations/x.yaml ...
//
// --reference: the file `npm run bench -- reference --out FILE` wrote (the reference check against
// Keras), copied into the page as the bench printed it.
//
// The README's "Results" section (between the `results:start`/`results:end` markers) is refreshed
// from the same reports: each experiment's claims with their verdicts and the best unseen-corpus row.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    cache: { type: 'string' },
    out: { type: 'string', default: join(root, 'docs', 'results.md') },
    readme: { type: 'string', default: join(root, 'README.md') },
    // for run records written before serx recorded the commit of a linked worktree
    commit: { type: 'string' },
    reference: { type: 'string' },
  },
});
if (positionals.length === 0) {
  console.error('usage: node scripts/results.mjs [--cache DIR] [--out docs/results.md] <spec.yaml>...');
  process.exit(2);
}
const cache = resolve(values.cache ?? process.env.SERX_CACHE ?? join(root, '.serx', 'cache'));
const out = resolve(values.out);
const reportsDir = join(dirname(out), 'results');
const serx = join(root, 'packages', 'core', 'bin', 'serx.mjs');
const nxTargets = JSON.parse(readFileSync(join(root, 'experiments', 'project.json'), 'utf8')).targets;

/** `nx run experiments:<target>` whose command runs this spec, else the serx command. */
function commandFor(specFile) {
  const rel = relative(root, specFile);
  for (const [name, t] of Object.entries(nxTargets))
    if (typeof t.command === 'string' && t.command.includes(`serx run ${rel}`))
      return `nx run experiments:${name}`;
  return `npx serx run ${rel}`;
}

/** The run records of a spec that computed something: commit, start, wall time, stages computed. */
function runsOf(specName) {
  const dir = join(cache, 'runs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      try {
        return JSON.parse(readFileSync(join(dir, f), 'utf8'));
      } catch {
        return null;
      }
    })
    .filter((r) => r && r.spec?.name === specName)
    .map((r) => {
      const stages = Object.values(r.stages ?? {});
      const computed = stages.filter((s) => s.status === 'succeeded');
      return {
        runId: r.runId,
        status: r.status === 'running' && !processAlive(r.host) ? 'killed (its process is gone)' : r.status,
        commit: r.gitCommit ?? (values.commit ? `${values.commit} (given)` : '?'),
        startedAt: r.startedAt,
        durationMs: r.durationMs ?? null,
        computed: computed.length,
        cached: stages.filter((s) => s.status === 'cached').length,
        options: r.options ?? {},
      };
    })
    .filter((r) => r.computed > 0)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** Whether a run record's process still runs (a record left `running` by a killed session is not). */
function processAlive(host) {
  if (!host || host.hostname !== hostname() || !Number.isInteger(host.pid)) return true; // cannot tell
  try {
    process.kill(host.pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Wall time the runs covered: their intervals merged, so runs that overlapped count once. */
function coveredMs(runs) {
  const spans = runs
    .filter((r) => r.durationMs !== null)
    .map((r) => [Date.parse(r.startedAt), Date.parse(r.startedAt) + r.durationMs])
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [s, e] of spans) {
    if (e <= end) continue;
    total += e - Math.max(s, end);
    end = e;
  }
  return total;
}

const minutes = (ms) => (ms === null ? 'unfinished' : `${(ms / 60000).toFixed(1)} min`);

/** A `## Heading` section of a Markdown report, without its heading. */
function section(markdown, heading) {
  const start = markdown.indexOf(`\n## ${heading}`);
  if (start < 0) return null;
  const body = markdown.slice(markdown.indexOf('\n', start + 1) + 1);
  const end = body.search(/\n## /);
  return (end < 0 ? body : body.slice(0, end)).trim();
}

/** The matrix and overridden stages of a spec file: what the experiment varies. */
function variedOf(specFile) {
  const doc = parseYaml(readFileSync(specFile, 'utf8'));
  const matrix = Object.entries(doc.matrix ?? {}).map(([axis, vs]) => `\`${axis}\` ∈ {${vs.join(', ')}}`);
  return { matrix: matrix.join(' × ') || 'nothing (one run)', extends: doc.extends ?? null };
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, no GPU`;
const sections = [];
const summary = [];
for (const spec of positionals.map((p) => resolve(p))) {
  const name = parseYaml(readFileSync(spec, 'utf8')).name ?? basename(spec, '.yaml');
  const dir = join(reportsDir, name);
  mkdirSync(dir, { recursive: true });
  // Never compute here: `serx report` would run what is missing. A spec whose runs have not finished
  // (some stage other than the report is not a cache hit) is left out and said so.
  const plan = spawnSync(process.execPath, [serx, 'plan', spec, '--json', '--cache', cache], {
    encoding: 'utf8',
    env: process.env,
    maxBuffer: 256 * 2 ** 20,
  });
  if (plan.status !== 0) {
    console.error(`[results] ${name}: serx plan exited ${plan.status}; left out\n${plan.stderr}`);
    continue;
  }
  const missing = JSON.parse(plan.stdout).nodes.filter(
    (n) => n.status !== 'hit' && n.stage !== 'analysis:report',
  );
  if (missing.length > 0) {
    console.error(
      `[results] ${name}: not finished (${missing.length} stage(s) not cached, e.g. ${missing[0].id}); left out`,
    );
    continue;
  }
  console.error(`[results] ${name}: serx report ${relative(root, spec)}`);
  const r = spawnSync(process.execPath, [serx, 'report', spec, '--cache', cache, '--out', dir], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
  });
  if (r.status !== 0) {
    console.error(`[results] ${name}: serx report exited ${r.status}; left out`);
    continue;
  }
  // The repository keeps each figure once: as SVG (text, small diffs) when it is under 1 MB, else as
  // PNG (heatmaps and scatter plots of thousands of points are tens of MB of SVG); report.md points at
  // the copy kept. report.html (self-contained, every figure inlined) is left to `serx report`.
  const kept = new Map();
  for (const f of readdirSync(join(dir, 'figures')).filter((x) => x.endsWith('.svg'))) {
    const stem = f.slice(0, -4);
    const svg = join(dir, 'figures', f);
    const png = join(dir, 'figures', `${stem}.png`);
    const small = statSync(svg).size <= 2 ** 20 || !existsSync(png);
    rmSync(small ? png : svg, { force: true });
    kept.set(stem, `figures/${stem}.${small ? 'svg' : 'png'}`);
  }
  rmSync(join(dir, 'report.html'), { force: true });
  const md = readFileSync(join(dir, 'report.md'), 'utf8').replace(
    /\]\(figures\/([^)]+)\.(?:png|svg)\)/g,
    (all, stem) => (kept.has(stem) ? `](${kept.get(stem)})` : all),
  );
  writeFileSync(join(dir, 'report.md'), md);
  const model = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  const table2 = readFileSync(join(dir, 'table2.md'), 'utf8').trim();
  const claims = section(md, 'Claims');
  const runs = runsOf(model.spec?.name ?? name);
  const varied = variedOf(spec);
  const rel = (f) => relative(dirname(out), join(dir, f));
  const figures = (model.figures ?? []).map((f) => `[${f.title}](${rel(kept.get(f.name) ?? f.svg)})`);
  const total = coveredMs(runs);
  sections.push(
    [
      `## ${model.title}`,
      `Spec \`${relative(root, spec)}\`${varied.extends ? ` (extends \`${varied.extends}\`)` : ''}; varies ${varied.matrix}. ` +
        `Command: \`${commandFor(spec)}\`. Full report: [report.md](${rel('report.md')}) (\`serx report ${relative(root, spec)}\` writes it with report.html).`,
      '',
      table2,
      claims ? `\n**Claims**\n\n${claims}` : '',
      '',
      `**Runs that computed it** (${machine}; ${minutes(total)} of wall time covered by them, overlapping runs counted once):`,
      '',
      '| run | commit | started | wall | computed | cached | jobs × threads | status |',
      '|---|---|---|---:|---:|---:|---|---|',
      ...runs.map(
        (x) =>
          `| ${x.runId} | ${x.commit.replace(/^([0-9a-f]{10})[0-9a-f]+/, '$1')} | ${x.startedAt} | ${minutes(x.durationMs)} | ${x.computed} | ${x.cached} | ${x.options.jobs ?? '?'} × ${x.options.threads ?? '?'} | ${x.status} |`,
      ),
      '',
      figures.length > 0 ? `Figures: ${figures.join(' · ')}` : '',
    ].join('\n'),
  );
  for (const c of model.claims ?? [])
    summary.push(
      `- ${model.title}: "${c.text}": ${(c.estimate * 100).toFixed(1)} pp [${(c.lo * 100).toFixed(1)}, ${(c.hi * 100).toFixed(1)}], ${c.seeds} seed(s): **${c.verdict}**`,
    );
  const unseen = model.table2.columns.findIndex((c) => c.unseen);
  if (unseen >= 0) {
    const best = model.table2.rows
      .filter((row) => !row.reference && row.cells[unseen])
      .sort((a, b) => b.cells[unseen].mean - a.cells[unseen].mean)[0];
    if (best) {
      const cell = best.cells[unseen];
      const ci = cell.lo === null ? '' : ` [${(cell.lo * 100).toFixed(1)}, ${(cell.hi * 100).toFixed(1)}]`;
      summary.push(
        `- ${model.title}: best on the unseen ${model.table2.columns[unseen].corpus}: ${best.label}, UA ${(cell.mean * 100).toFixed(1)}${ci} (n = ${cell.n})`,
      );
    }
  }
}

if (values.reference) {
  const text = readFileSync(values.reference, 'utf8').trim();
  sections.push(
    [
      '## Reference check: serx vs Keras on the same stores',
      `The paper's CNN-LSTM from scratch trained by serx (the paper run's \`ser_scratch\`, cached) and by Keras with the same model, recipe, feature stores, splits and seeds (\`bench/reference/keras_reference.py\`; its LSTM drops the recurrent kernel as serx does). Command: \`npm run bench -- reference --seeds 5 --out ${relative(join(dirname(out), '..'), resolve(values.reference))}\`; its output as printed:`,
      '',
      '```',
      text,
      '```',
    ].join('\n'),
  );
  const outside = /outside Keras's seed interval on (\d+)/.exec(text);
  summary.push(
    `- Reference check (serx vs Keras, same model, recipe and stores): ${outside ? `serx's mean is outside Keras's seed interval on ${outside[1]} test set(s)` : "serx's mean is inside Keras's seed interval on every test set"}`,
  );
}

const page = [
  '# Results',
  '',
  `Written by \`node scripts/results.mjs\` from the cache (\`serx report\` of each spec; every number below comes from the cached evaluations, none is typed by hand). Each experiment's full report (data, comparison, t-SNE, learning curves, per-stage timings) is linked under its table.`,
  '',
  ...sections.flatMap((s) => [s, '']),
].join('\n');
writeFileSync(out, page);
console.error(`[results] wrote ${relative(root, out)}`);

const readme = readFileSync(values.readme, 'utf8');
const start = readme.indexOf('<!-- results:start -->');
const end = readme.indexOf('<!-- results:end -->');
if (start >= 0 && end > start) {
  const block = `<!-- results:start -->\n${summary.join('\n')}\n\n(from [docs/results.md](docs/results.md), written by \`node scripts/results.mjs\`)\n`;
  writeFileSync(values.readme, readme.slice(0, start) + block + readme.slice(end));
  console.error(`[results] refreshed the README's results block`);
}
