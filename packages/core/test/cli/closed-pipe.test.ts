// `serx … | head`: a reader that closes the pipe before serx has written all it has. serx stops
// writing, without Node's unhandled EPIPE stack trace, and exits with the status it had decided
// (`--help`: 0; a command still running when the pipe closes ends with 141, a writer's status after
// SIGPIPE). A real process with a real pipe, closed before the first line, so the first write
// already finds it closed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../../bin/serx.mjs');

it('a reader that closes the pipe early ends the output quietly', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, [bin, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(stderr).not.toMatch(/EPIPE|Unhandled/);
  expect(code).toBe(0);
});
