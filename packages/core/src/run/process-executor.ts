import { type ChildProcess, fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { StageResult } from '../contract.ts';
import { SerxError } from '../errors.ts';
import { pluginOrigin } from '../plugins/load-plugins.ts';
import { type Executor, InProcessExecutor, type StageTask } from './executor.ts';
import { type FromWorker, relay, type ToWorker } from './worker-protocol.ts';

export interface ProcessExecutorOptions {
  /** Module to import a plugin from in the child, by plugin name. Default: where the runner loaded it. */
  modules?: { [pluginName: string]: string };
  /** After an abort, how long a stage may take to stop before its process is killed. Default 5 s. */
  graceMs?: number;
}

const ENTRY = new URL('./process-entry.mjs', import.meta.url);
const STDERR_TAIL = 20;

/**
 * Runs each stage in a child process of its own, so whatever a stage does ends as a result or a
 * stage failure of that stage alone: `process.exit()`, an exception thrown from a timer, a run()
 * that never settles, a crash of a native addon, or a synchronous loop that ignores the abort
 * signal (killed after `graceMs`, at once on {@link kill}). The child's temp dir (`TMPDIR`) is the
 * task's scratch directory. Stages of plugins passed as objects (no module to load) run in process.
 */
export class ProcessExecutor implements Executor {
  readonly name = 'process';
  private readonly inProcess = new InProcessExecutor();
  private readonly options: ProcessExecutorOptions;
  private readonly children = new Set<ChildProcess>();

  constructor(options: ProcessExecutorOptions = {}) {
    this.options = options;
  }

  /** Kills every running stage process now (a second Ctrl-C). */
  kill(): void {
    for (const child of this.children) child.kill('SIGKILL');
  }

  execute(task: StageTask): Promise<StageResult | undefined> {
    const { node, channels, signal } = task;
    const module = this.options.modules?.[node.plugin.name];
    const origin = module ? { specifier: module, fromDir: process.cwd() } : pluginOrigin(node.plugin.name);
    if (!origin) {
      channels.log.debug(`plugin ${node.plugin.name} was not loaded from a module: running in process`);
      return this.inProcess.execute(task);
    }
    const tmp = task.scratchDir ?? process.env.TMPDIR;
    const child = fork(ENTRY, [], {
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ...(tmp ? { TMPDIR: tmp, TMP: tmp, TEMP: tmp } : {}) },
    });
    this.children.add(child);
    const stderr: string[] = [];
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) =>
      channels.log.info(line),
    );
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      stderr.push(line);
      if (stderr.length > STDERR_TAIL) stderr.shift();
      channels.log.debug(line);
    });

    return new Promise((resolve, reject) => {
      let outcome: { result: StageResult | undefined } | { error: Error } | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        const reason = String((signal.reason as Error)?.message ?? signal.reason);
        if (child.connected) child.send({ type: 'abort', reason } satisfies ToWorker, () => {});
        killTimer = setTimeout(() => child.kill('SIGKILL'), this.options.graceMs ?? 5000);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      child.on('message', (message: FromWorker) => {
        if (relay(message, channels)) return;
        if (message.type === 'done') outcome ??= { result: message.result };
        else if (message.type === 'error')
          outcome ??= { error: Object.assign(new Error(message.error.message), message.error) };
      });
      child.on('error', (error) => {
        outcome ??= { error };
        child.kill('SIGKILL');
      });
      // 'close' comes after the last message and the last line of output
      child.on('close', (code, killedBy) => {
        this.children.delete(child);
        clearTimeout(killTimer);
        signal.removeEventListener('abort', onAbort);
        if (outcome && 'result' in outcome && code === 0) return resolve(outcome.result);
        if (signal.aborted) return reject(signal.reason);
        if (outcome && 'error' in outcome) return reject(outcome.error);
        const how = killedBy ? `was killed by ${killedBy}` : `exited with code ${code}`;
        const hint = killedBy ? '' : ' (process.exit() called inside the stage?)';
        const tail = stderr.length > 0 ? `; its last output:\n${stderr.join('\n')}` : '';
        reject(
          new SerxError('STAGE_FAILED', `the stage's process ${how} before run() settled${hint}${tail}`),
        );
      });
      child.send({
        type: 'run',
        plugin: origin.specifier,
        fromDir: origin.fromDir,
        stage: node.definition.name,
        data: task.data,
      } satisfies ToWorker);
    });
  }
}
