// The built-in `command` stage run for real: specs in a temp dir, node scripts as the user's code,
// the in-process and the process executor.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSpec, openCache, planGraph, runGraph, type SerxError } from '../../src/index.ts';
import { ProcessExecutor } from '../../src/run/process-executor.ts';
import { tempDir } from '../run/helpers.ts';

const dirs: string[] = [];
async function workspace(files: { [name: string]: string }): Promise<string> {
  // a folder name with spaces, quotes, `$()` and `;`: every path the command gets holds them
  const dir = join(await tempDir('serx-cmd-'), `my "study" $(touch INJECTED); 'x'`);
  dirs.push(dir);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}
afterAll(() => {
  for (const dir of dirs) expect(existsSync(join(dir, 'INJECTED')), dir).toBe(false);
});

const ARGV_SCRIPT = `// argv.mjs: writes its arguments into the directory given first
import { writeFileSync } from 'node:fs';
const [out, ...rest] = process.argv.slice(2);
writeFileSync(out + '/argv.json', JSON.stringify(rest));
`;
const EVIL = `a b; touch PWNED $(touch PWNED2) \`touch PWNED3\` 'q" && rm -rf x`;

function errorText(error: SerxError | undefined): string {
  let text = '';
  for (let e: unknown = error; e; e = (e as Error).cause) text += `${(e as Error).message}\n`;
  return text;
}
function codes(error: SerxError | undefined): string[] {
  const out: string[] = [];
  for (let e: unknown = error; e; e = (e as Error).cause) out.push(String((e as SerxError).code));
  return out;
}

describe('command stage: argv', () => {
  it('passes params and paths as single arguments, never through a shell', async () => {
    const dir = await workspace({
      'argv.mjs': ARGV_SCRIPT,
      'spec.yaml': `name: argv
stages:
  src:
    uses: command
    params: { run: "node -e \\"require('fs').writeFileSync(process.argv[1] + '/a.txt', 'A')\\" {outputs.data}" }
    outputs: { data: files }
  echo:
    uses: command
    params:
      run: node argv.mjs {outputs.argv} {params.evil} --flag={params.evil} {inputs.src} {params.list} "{params.n} two" '{{literal}}'
      code: [argv.mjs]
      evil: ${JSON.stringify(EVIL)}
      list: [x y, "z;"]
      n: 3
    inputs: { src: src.data }
    outputs: { argv: files }
`,
    });
    const graph = await loadSpec(join(dir, 'spec.yaml'));
    const run = await runGraph(graph, { cache: join(dir, 'cache'), jobs: 1 });
    expect(run.errors.map(errorText)).toEqual([]);
    const entry = join(dir, 'cache', 'entries', run.stages.echo!.key!.slice(0, 2), run.stages.echo!.key!);
    const argv = JSON.parse(await readFile(join(entry, 'argv', 'argv.json'), 'utf8'));
    const srcKey = run.stages.src!.key!;
    expect(argv).toEqual([
      EVIL,
      `--flag=${EVIL}`,
      join(dir, 'cache', 'entries', srcKey.slice(0, 2), srcKey, 'data'),
      'x y',
      'z;',
      '3 two',
      '{literal}',
    ]);
    for (const name of ['PWNED', 'PWNED2', 'PWNED3']) {
      expect(existsSync(join(dir, name))).toBe(false);
      expect(existsSync(join(process.cwd(), name))).toBe(false);
    }
  }, 180_000);

  it('with shell: true, quotes every placeholder value into the shell text', async () => {
    const dir = await workspace({
      'spec.yaml': `name: shell
stages:
  sh:
    uses: command
    params:
      shell: true
      run: printf '%s|' {params.evil} {params.list} > {outputs.out}/args.txt && echo done
      evil: ${JSON.stringify(EVIL)}
      list: [x y, "$(touch PWNED)"]
    outputs: { out: files }
`,
    });
    const run = await runGraph(await loadSpec(join(dir, 'spec.yaml')), {
      cache: join(dir, 'cache'),
      jobs: 1,
    });
    expect(run.errors.map(errorText)).toEqual([]);
    const key = run.stages.sh!.key!;
    const text = await readFile(
      join(dir, 'cache', 'entries', key.slice(0, 2), key, 'out', 'args.txt'),
      'utf8',
    );
    expect(text).toBe(`${EVIL}|x y|$(touch PWNED)|`);
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
  }, 180_000);

  it('rejects a placeholder that names nothing before anything runs', async () => {
    const dir = await workspace({
      'spec.yaml': `name: bad
stages:
  a: { uses: command, params: { run: "node -e 1 {outputs.nope}" }, outputs: { out: files } }
`,
    });
    const graph = await loadSpec(join(dir, 'spec.yaml'));
    await expect(planGraph(graph, await openCache(join(dir, 'cache')))).rejects.toMatchObject({
      code: 'command:PLACEHOLDER',
    });
  }, 180_000);
});

describe('command stage: spec ports', () => {
  it('checks declared output types and the wiring of downstream stages', async () => {
    const dir = await workspace({
      'spec.yaml': `name: types
stages:
  a: { uses: command, params: { run: "true" }, outputs: { out: no-such-type } }
`,
    });
    await expect(loadSpec(join(dir, 'spec.yaml'))).rejects.toMatchObject({
      code: 'command:OUTPUT_TYPE',
      loc: { line: 3 },
    });
    await writeFile(
      join(dir, 'spec2.yaml'),
      `name: fits
heldOut: [c1]
stages:
  a: { uses: command, params: { run: "true" }, outputs: { out: files } }
  b: { uses: command, params: { run: "true", fits: [nope] }, inputs: { x: a.out }, outputs: { out: files } }
`,
    );
    await expect(loadSpec(join(dir, 'spec2.yaml'))).rejects.toMatchObject({ code: 'SPEC_INVALID' });
    await writeFile(
      join(dir, 'spec3.yaml'),
      `name: names
stages:
  a: { uses: command, params: { run: "true" }, outputs: { ../escape: files } }
`,
    );
    await expect(loadSpec(join(dir, 'spec3.yaml'))).rejects.toMatchObject({
      code: 'SPEC_INVALID',
      message: expect.stringContaining('output name "../escape" must match'),
    });
  }, 180_000);
});

describe('command stage: cache key', () => {
  it('changes when the script or the lock file changes, and plan names the file', async () => {
    const dir = await workspace({
      'argv.mjs': ARGV_SCRIPT,
      'requirements.txt': 'numpy==2.1.0\n',
      'spec.yaml': `name: key
stages:
  a:
    uses: command
    params:
      run: node argv.mjs {outputs.out}
      code: [argv.mjs]
      requirements: requirements.txt
    outputs: { out: files }
`,
    });
    const cache = join(dir, 'cache');
    const spec = join(dir, 'spec.yaml');
    const first = await runGraph(await loadSpec(spec), { cache, jobs: 1 });
    expect(first.counts).toMatchObject({ succeeded: 1 });
    const same = await runGraph(await loadSpec(spec), { cache, jobs: 1 });
    expect(same.counts).toMatchObject({ cached: 1 });

    // a JavaScript script is hashed as its normalised module, like a stage's code: a comment keeps the key
    await writeFile(join(dir, 'argv.mjs'), `${ARGV_SCRIPT}// a comment\n`);
    let plan = await planGraph(await loadSpec(spec), await openCache(cache));
    expect(plan.nodes[0]!.status).toBe('hit');
    await writeFile(join(dir, 'argv.mjs'), `${ARGV_SCRIPT}process.exitCode = 0;\n`);
    plan = await planGraph(await loadSpec(spec), await openCache(cache));
    expect(plan.nodes[0]!.status).toBe('miss');
    expect(plan.nodes[0]!.reasons.join('\n')).toMatch(/code changed: .*argv\.mjs/);
    const second = await runGraph(await loadSpec(spec), { cache, jobs: 1 });
    expect(second.stages.a!.key).not.toBe(first.stages.a!.key);

    await writeFile(join(dir, 'requirements.txt'), 'numpy==2.2.0\n');
    plan = await planGraph(await loadSpec(spec), await openCache(cache));
    expect(plan.nodes[0]!.status).toBe('miss');
    expect(plan.nodes[0]!.reasons.join('\n')).toMatch(/code changed: .*requirements\.txt/);
  }, 180_000);

  it('holds the interpreter version of a python command', async () => {
    const dir = await workspace({
      'spec.yaml': `name: py
stages:
  a: { uses: command, params: { run: "python3 -c pass" }, outputs: { out: files } }
`,
    });
    const plan = await planGraph(await loadSpec(join(dir, 'spec.yaml')), await openCache(join(dir, 'cache')));
    expect(plan.nodes[0]!.keyInput?.fingerprint).toMatch(/^python3: Python 3\.\d+/);
  }, 180_000);
});

describe('command stage: failures', () => {
  it('a non-zero exit is STAGE_FAILED with the exit code and the output tail', async () => {
    const dir = await workspace({
      'spec.yaml': `name: exit
stages:
  a:
    uses: command
    params: { run: "node -e \\"console.log('working'); console.error('model diverged'); process.exit(3)\\"" }
    outputs: { out: files }
`,
    });
    const run = await runGraph(await loadSpec(join(dir, 'spec.yaml')), {
      cache: join(dir, 'cache'),
      jobs: 1,
    });
    expect(run.status).toBe('failed');
    expect(run.errors[0]!.code).toBe('STAGE_FAILED');
    expect(errorText(run.errors[0])).toMatch(/exited with code 3; its last output:\nworking\nmodel diverged/);
  }, 180_000);

  it('an output that fails its artifact type is command:OUTPUT_INVALID naming the output', async () => {
    const plugin = `export const plugin = {
  name: 'greeting-types', version: '1', stages: [],
  artifactTypes: [{
    name: 'greeting', description: 'a hello.txt saying hello',
    async validate(dir) {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(dir + '/hello.txt', 'utf8').catch(() => undefined);
      return text === 'hello' ? undefined : 'hello.txt ' + (text === undefined ? 'is missing' : 'says ' + JSON.stringify(text));
    },
  }],
};
`;
    const dir = await workspace({
      'types.mjs': plugin,
      'spec.yaml': `name: invalid
plugins: [./types.mjs]
stages:
  good:
    uses: command
    params: { run: "node -e \\"require('fs').writeFileSync(process.argv[1] + '/hello.txt', 'hello')\\" {outputs.g}" }
    outputs: { g: greeting }
  bad:
    uses: command
    params: { run: "node -e \\"require('fs').writeFileSync(process.argv[1] + '/hello.txt', 'bye')\\" {outputs.g}" }
    outputs: { g: greeting }
  empty: { uses: command, params: { run: "true" }, outputs: { g: files } }
`,
    });
    for (const executor of [undefined, new ProcessExecutor()]) {
      const run = await runGraph(await loadSpec(join(dir, 'spec.yaml')), {
        cache: join(dir, `cache-${executor ? 'p' : 'i'}`),
        jobs: 1,
        onError: 'keep-going',
        ...(executor ? { executor } : {}),
      });
      expect(run.stages.good!.status).toBe('succeeded');
      expect(run.stages.bad!.status).toBe('failed');
      expect(run.stages.empty!.status).toBe('failed');
      const [bad, empty] = ['bad', 'empty'].map((id) =>
        errorText(run.errors.find((e) => e.message.includes(`'${id}'`))),
      );
      expect(bad).toMatch(/output 'g' is not a valid greeting artifact: hello.txt says "bye"/);
      expect(empty).toMatch(/output 'g' is not a valid files artifact: the command wrote nothing into it/);
      expect(codes(run.errors.find((e) => e.message.includes("'bad'")))).toContain('command:OUTPUT_INVALID');
      await executor?.close?.();
    }
  }, 300_000);
});

/** Whether a process is alive (signal 0 probes it). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('command stage: interruption', () => {
  const TREE = `// tree.mjs: a child that starts a grandchild, both sleeping; their pids in pids.txt
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const grandchild = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
writeFileSync(process.argv[2], process.pid + ' ' + grandchild.pid);
setTimeout(() => {}, 600000);
`;
  for (const how of ['in-process', 'process executor'] as const) {
    it(`Ctrl-C reaches the command's whole process group (${how})`, async () => {
      const dir = await workspace({
        'tree.mjs': TREE,
        'spec.yaml': `name: tree
stages:
  a: { uses: command, params: { run: "node tree.mjs {params.pids}", pids: pids.txt }, outputs: { out: files } }
`,
      });
      const controller = new AbortController();
      const executor = how === 'in-process' ? undefined : new ProcessExecutor();
      const running = runGraph(await loadSpec(join(dir, 'spec.yaml')), {
        cache: join(dir, 'cache'),
        jobs: 1,
        signal: controller.signal,
        ...(executor ? { executor } : {}),
      });
      const pidsFile = join(dir, 'pids.txt');
      const deadline = Date.now() + 150_000; // a loaded machine starts processes slowly
      while (!existsSync(pidsFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const pids = (await readFile(pidsFile, 'utf8')).split(' ').map(Number);
      expect(pids.every(alive)).toBe(true);
      controller.abort(new Error('Ctrl-C'));
      const run = await running;
      await executor?.close?.();
      expect(run.status).toBe('interrupted');
      const gone = Date.now() + 10_000;
      while (pids.some(alive) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
      expect(pids.filter(alive)).toEqual([]);
    }, 240_000);
  }
});
