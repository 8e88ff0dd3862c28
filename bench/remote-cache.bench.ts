// Bench: the remote cache on the smoke spec. From a cache that holds a finished run of the spec:
// `serx push <spec>` to a fresh prefix, `serx push` again (everything there: the no-op cost),
// `serx pull <spec>` into an empty cache on another path, then `serx plan` there (must be a full
// hit) and a no-op `serx run`; then `push --all` / `pull --all` of the same entries by key (no spec
// to load: the transfer and one serx start-up). --runs rounds, each on its own prefix and empty cache.
//   bash scripts/s3-local.sh up && eval "$(bash scripts/s3-local.sh env)"
//   npm run bench -- remote-cache [--cache DIR] [--spec experiments/smoke.yaml] [--runs 3] [--transfers 8]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    cache: { type: 'string' },
    spec: { type: 'string', default: 'experiments/smoke.yaml' },
    runs: { type: 'string', default: '3' },
    transfers: { type: 'string', default: '8' },
  },
});
const cache = resolve(values.cache ?? process.env.SERX_CACHE ?? join(root, '.serx/cache'));
const spec = resolve(root, values.spec as string);
const endpoint = process.env.SERX_TEST_S3_ENDPOINT ?? 'http://127.0.0.1:18333';
const bucket = process.env.SERX_TEST_S3_BUCKET ?? 'serx-test';
const bin = join(root, 'packages/core/bin/serx.mjs');

function serx(args: string[], env: NodeJS.ProcessEnv): { ms: number; out: string } {
  const started = performance.now();
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 1 << 26,
  });
  const ms = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`serx ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return { ms, out: result.stdout };
}

const lastJson = (text: string) => JSON.parse(text.trim().split('\n').at(-1) as string);
const seconds = (ms: number) => (ms / 1000).toFixed(1);

const rows: string[] = [];
for (let round = 1; round <= Number(values.runs); round++) {
  const prefix = `bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}/`;
  const env = {
    SERX_REMOTE: `s3://${bucket}/${prefix}`,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'serx-local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'serx-local-secret',
    SERX_REMOTE_TRANSFERS: values.transfers,
  };
  const empty = mkdtempSync(join(tmpdir(), 'serx-bench-pull-'));
  try {
    const push = serx(['push', spec, '--cache', cache, '--json'], env);
    const pushed = lastJson(push.out);
    if (pushed.notCached.length > 0)
      throw new Error(`${cache} lacks ${pushed.notCached.join(', ')}: run the spec into it first`);
    const again = serx(['push', spec, '--cache', cache, '--json'], env);
    const pull = serx(['pull', spec, '--cache', join(empty, 'c'), '--json'], env);
    const pulled = lastJson(pull.out);
    const plan = JSON.parse(serx(['plan', spec, '--cache', join(empty, 'c'), '--json'], env).out);
    const run = serx(['run', spec, '--cache', join(empty, 'c'), '--json'], env);
    // by key, without the spec: the transfer alone (plus a serx start-up)
    const allEnv = { ...env, SERX_REMOTE: `${env.SERX_REMOTE}all/` };
    const pushAll = serx(['push', '--all', '--cache', join(empty, 'c'), '--json'], allEnv);
    const pullAll = serx(['pull', '--all', '--cache', join(empty, 'd'), '--json'], allEnv);
    if (lastJson(pullAll.out).pulled !== pushed.entries) throw new Error(`pull --all: ${pullAll.out}`);
    rows.push(
      `| ${round} | ${pushed.entries} | ${pushed.filesUploaded} | ${(pushed.bytesUploaded / 1e6).toFixed(1)} | ${seconds(push.ms)} | ${seconds(again.ms)} | ${pulled.pulled} | ${seconds(pull.ms)} | ${plan.counts.hit}/${plan.counts.hit + plan.counts.miss + plan.counts.pending} | ${seconds(run.ms)} | ${seconds(pushAll.ms)} | ${seconds(pullAll.ms)} |`,
    );
    console.error(rows.at(-1));
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}
console.log(
  `remote cache, ${values.spec} from ${cache}; ${endpoint}; ${values.transfers} transfers; load ${loadavg()[0]?.toFixed(1)}`,
);
console.log(
  '| round | entries | files up | MB up | push s | re-push s | entries pulled | pull s | plan hits | no-op run s | push --all s | pull --all s |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
