/**
 * Starts a real MLflow tracking server (from the project's Python venv) on 127.0.0.1 with a
 * sqlite backend and proxied artifacts: for the integration tests and `npm run mlflow`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SerxError } from '../errors.ts';

export interface MlflowServer {
  uri: string;
  port: number;
  dir: string;
  process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The venv python that has mlflow: $SERX_MLFLOW_PYTHON, else `<repo>/.venv/bin/python` (made by `npm run setup`). */
export function mlflowPython(env: NodeJS.ProcessEnv = process.env): string {
  const python = env.SERX_MLFLOW_PYTHON ?? join(repoRoot, '.venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new SerxError(
      'ENVIRONMENT',
      `no MLflow venv at ${python}: run \`npm run setup\` (it creates .venv with the pinned mlflow), or set SERX_MLFLOW_PYTHON`,
    );
  }
  return python;
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

async function answers(uri: string): Promise<boolean> {
  try {
    await fetch(`${uri}/health`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

export async function startMlflowServer(options: {
  dir: string;
  port?: number;
  timeoutMs?: number;
  /** Seconds uvicorn keeps an idle connection open (its default: 5). */
  keepAliveS?: number;
}): Promise<MlflowServer> {
  const port = options.port ?? (await freePort());
  mkdirSync(options.dir, { recursive: true });
  const log = openSync(join(options.dir, 'server.log'), 'a');
  const child = spawn(
    mlflowPython(),
    [
      '-m',
      'mlflow',
      'server',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--backend-store-uri',
      `sqlite:///${join(options.dir, 'mlflow.db')}`,
      '--artifacts-destination',
      join(options.dir, 'artifacts'),
      '--serve-artifacts',
      '--workers',
      '1',
      ...(options.keepAliveS === undefined
        ? []
        : ['--uvicorn-opts', `--timeout-keep-alive ${options.keepAliveS}`]),
    ],
    // Its own process group: `mlflow server` forks uvicorn workers that must stop with it.
    { stdio: ['ignore', log, log], detached: true },
  );
  const uri = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new SerxError(
        'ENVIRONMENT',
        `MLflow server exited with code ${child.exitCode}; see ${join(options.dir, 'server.log')}`,
      );
    }
    try {
      if ((await fetch(`${uri}/health`, { signal: AbortSignal.timeout(1000) })).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  if (Date.now() >= deadline) {
    process.kill(-child.pid!, 'SIGKILL');
    throw new SerxError(
      'ENVIRONMENT',
      `MLflow server did not answer on ${uri} in time; see ${join(options.dir, 'server.log')}`,
    );
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    const group = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {}
    };
    group('SIGTERM');
    const timer = setTimeout(() => group('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    // The parent exits before its uvicorn worker lets go of the port: wait until nobody answers.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await answers(uri))) await new Promise((r) => setTimeout(r, 100));
    if (await answers(uri)) group('SIGKILL');
  };
  return { uri, port, dir: options.dir, process: child, stop };
}
