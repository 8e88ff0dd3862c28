/**
 * The identity of the interpreter a command stage names: `<interpreter> --version`, part of the
 * cache key, so a new Python or R is a new key (its packages are pinned by `requirements`).
 */
import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { SerxError } from '../errors.ts';

/** argv[0]s taken as an interpreter when `interpreter` is not given. */
const INTERPRETERS = /^(python[0-9.]*|pypy[0-9.]*|Rscript|R|julia)$/;

export function namedInterpreter(
  interpreter: string | undefined,
  argv0: string | undefined,
): string | undefined {
  if (interpreter) return interpreter;
  return argv0 && INTERPRETERS.test(basename(argv0)) ? argv0 : undefined;
}

/** `<file> --version` output (stdout, else stderr: Python 2 and R print there), trimmed. */
export function interpreterVersion(
  file: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, ['--version'], { cwd, env, signal, timeout: 60_000 }, (error, stdout, stderr) => {
      const text = `${stdout}`.trim() || `${stderr}`.trim();
      if (error)
        return reject(
          new SerxError(
            'ENVIRONMENT',
            `the command's interpreter \`${file} --version\` failed (${error.message.split('\n')[0]}); is it installed and on PATH?`,
            { cause: error },
          ),
        );
      resolve(text.split('\n')[0] as string);
    });
  });
}
