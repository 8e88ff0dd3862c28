import { type ChildProcess, fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { StageResult } from '../contract.ts';
import { deserializeError } from '../errors.ts';
import { loadedPluginOrigins, pluginOrigin } from '../plugins/load-plugins.ts';
import type { ContextChannels } from './context.ts';
import { InProcessExecutor, type StageExecutor, type StageTask } from './executor.ts';
import { stageCrashed } from './stage-errors.ts';
import { type FromHost, relay, type ToHost } from './stage-host-protocol.ts';

export interface ProcessExecutorOptions {
  /** Module to import a plugin from in the child, by plugin name. Default: where the runner loaded it. */
  modules?: { [pluginName: string]: string };
  /** After an abort, how long a stage may take to stop before its process is killed. Default 5 s. */
  graceMs?: number;
  /** Idle stage processes kept for the next stages. Default 2; 0 = a fresh process for every stage. */
  keepIdle?: number;
}

const ENTRY = new URL('./process-entry.mjs', import.meta.url);
const STDERR_TAIL = 20;

/** A child process running stages one at a time; its output goes to the current stage's log. */
interface StageProcess {
  child: ChildProcess;
  channels?: ContextChannels;
  stderr: string[];
}

/**
 * Runs stages in child processes, so whatever a stage does ends as a result or a failure of that
 * stage alone: `process.exit()`, an exception thrown from a timer, a run() that never settles, a
 * crash of a native addon, or a synchronous loop that ignores the abort signal (killed after
 * `graceMs`, at once on {@link kill}). TMPDIR is the task's scratch directory. A process whose
 * stage finished and left nothing running (no timers, sockets or pending I/O) is kept for the next
 * stage, which then skips the start-up and plugin loading; any other ends with its stage. Stages of
 * plugins passed as objects (no module to load) run in process.
 */
export class ProcessExecutor implements StageExecutor {
  readonly name = 'process';
  private readonly inProcess = new InProcessExecutor();
  private readonly options: ProcessExecutorOptions;
  private readonly live = new Set<StageProcess>();
  private readonly idle: StageProcess[] = [];

  constructor(options: ProcessExecutorOptions = {}) {
    this.options = options;
  }

  /** Kills every stage process now (a second Ctrl-C). */
  kill(): void {
    for (const proc of this.live) proc.child.kill('SIGKILL');
  }

  async close(): Promise<void> {
    for (const proc of this.idle.splice(0)) proc.child.kill();
  }

  private spawn(): StageProcess {
    const child = fork(ENTRY, [], {
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const proc: StageProcess = { child, stderr: [] };
    this.live.add(proc);
    child.once('exit', () => {
      this.live.delete(proc);
      const at = this.idle.indexOf(proc);
      if (at >= 0) this.idle.splice(at, 1);
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) =>
      proc.channels?.log.info(line),
    );
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      proc.stderr.push(line);
      if (proc.stderr.length > STDERR_TAIL) proc.stderr.shift();
      proc.channels?.log.debug(line);
    });
    return proc;
  }

  execute(task: StageTask): Promise<StageResult | undefined> {
    const { node, channels, signal } = task;
    const module = this.options.modules?.[node.plugin.name];
    const origin = module ? { specifier: module, fromDir: process.cwd() } : pluginOrigin(node.plugin.name);
    if (!origin) {
      channels.log.debug(`plugin ${node.plugin.name} was not loaded from a module: running in process`);
      return this.inProcess.execute(task);
    }
    const proc = this.idle.pop() ?? this.spawn();
    const { child } = proc;
    proc.channels = channels;
    proc.stderr = [];

    return new Promise((resolve, reject) => {
      let outcome: { result: StageResult | undefined } | { error: Error } | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      const detach = () => {
        clearTimeout(killTimer);
        signal.removeEventListener('abort', onAbort);
        child.off('message', onMessage);
        child.off('close', onClose);
        child.off('error', onError);
      };
      const settle = () => {
        if (signal.aborted) return reject(signal.reason);
        if (outcome && 'result' in outcome) return resolve(outcome.result);
        if (outcome) return reject(outcome.error);
      };
      const onAbort = () => {
        const reason = String((signal.reason as Error)?.message ?? signal.reason);
        if (child.connected) child.send({ type: 'abort', reason } satisfies ToHost, () => {});
        killTimer = setTimeout(() => child.kill('SIGKILL'), this.options.graceMs ?? 5000);
      };
      const onMessage = (message: FromHost) => {
        if (message.type !== 'done' && message.type !== 'error') return void relay(message, channels);
        outcome ??=
          message.type === 'done' ? { result: message.result } : { error: deserializeError(message.error) };
        if (!message.reusable) return; // the process ends: settled on 'close', after its last output
        detach();
        proc.channels = undefined;
        if (this.idle.length < (this.options.keepIdle ?? 2)) this.idle.push(proc);
        else child.kill();
        settle();
      };
      const onError = (error: Error) => {
        outcome ??= { error };
        child.kill('SIGKILL');
      };
      const onClose = (code: number | null, killedBy: NodeJS.Signals | null) => {
        detach();
        if (outcome && !(code !== 0 && 'result' in outcome)) return settle();
        if (signal.aborted) return reject(signal.reason);
        const how = killedBy ? `was killed by ${killedBy}` : `exited with code ${code}`;
        const hint = killedBy ? '' : ' (process.exit() called inside the stage?)';
        const tail = proc.stderr.length > 0 ? `; its last output:\n${proc.stderr.join('\n')}` : '';
        reject(stageCrashed(`the stage's process ${how} before run() settled${hint}${tail}`));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      child.on('message', onMessage);
      child.once('close', onClose);
      child.on('error', onError);
      child.send({
        type: 'run',
        plugin: origin.specifier,
        fromDir: origin.fromDir,
        stage: node.definition.name,
        data: task.data,
        setup: loadedPluginOrigins(),
        ...(task.scratchDir ? { tmpDir: task.scratchDir } : {}),
      } satisfies ToHost);
    });
  }
}
