/**
 * Runs a command stage's process: its own process group (so an interruption reaches everything it
 * started: a Python script's workers, a shell pipeline), every output line to the stage log, and
 * the last lines kept for the failure message.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '../contract.ts';
import { SerxError } from '../errors.ts';

const TAIL = 20;
/** After SIGTERM, how long the group has to exit before SIGKILL (below the executors' 5 s grace). */
const TERM_GRACE_MS = 3000;

export interface ChildSpec {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** How the command is shown in messages. */
  display: string;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/**
 * Resolves when the command exits with status 0. A non-zero exit or a death by signal is
 * STAGE_FAILED with the status and the output's tail; an abort sends SIGTERM to the group
 * (SIGKILL after a grace period) and rejects with the signal's reason once the group is gone.
 */
export function runChild(spec: ChildSpec, log: Logger, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const tail: string[] = [];
    const child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true, // a process group of its own: signals reach the whole tree
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (line: string) => {
      tail.push(line);
      if (tail.length > TAIL) tail.shift();
    };
    createInterface({ input: child.stdout }).on('line', (line) => {
      keep(line);
      log.info(line);
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      keep(line);
      log.info(line);
    });
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      if (child.pid === undefined) return;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => child.pid !== undefined && killGroup(child.pid, 'SIGKILL'), TERM_GRACE_MS);
    };
    // If this process ends first (its executor gave up on it), the group must not outlive it.
    const onExit = () => child.pid !== undefined && killGroup(child.pid, 'SIGKILL');
    signal.addEventListener('abort', onAbort, { once: true });
    process.once('exit', onExit);
    const done = (error?: Error) => {
      clearTimeout(killTimer);
      signal.removeEventListener('abort', onAbort);
      process.off('exit', onExit);
      if (signal.aborted) return reject(signal.reason);
      if (error) reject(error);
      else resolve();
    };
    child.once('error', (cause) =>
      done(new SerxError('STAGE_FAILED', `cannot start ${spec.display}: ${cause.message}`, { cause })),
    );
    // The leader's exit ends what it left running in its group (which would hold the pipes open).
    child.once('exit', () => child.pid !== undefined && killGroup(child.pid, 'SIGKILL'));
    child.once('close', (code, killedBy) => {
      if (code === 0) return done();
      const how = killedBy ? `was killed by ${killedBy}` : `exited with code ${code}`;
      const last = tail.length > 0 ? `; its last output:\n${tail.join('\n')}` : ' with no output';
      done(new SerxError('STAGE_FAILED', `${spec.display} ${how}${last}`));
    });
  });
}
