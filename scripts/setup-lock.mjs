// One setup at a time per checkout (e.g. `npm test` started twice): a lock directory holding the
// owner's pid; a lock whose owner is gone is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log, repoRoot, sha256 } from './setup-util.mjs';

const lockDir = join(tmpdir(), `serx-setup-${sha256(repoRoot).slice(0, 12)}.lock`);

function ownerAlive() {
  try {
    const pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return error?.code === 'EPERM' ? -1 : 0;
  }
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Blocks until the lock is ours; returns the release function. */
export function acquireSetupLock(timeoutMs = 30 * 60_000) {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      const release = () => rmSync(lockDir, { recursive: true, force: true });
      process.once('exit', release);
      return release;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const owner = ownerAlive();
    if (owner === 0) {
      sleep(200); // the owner may be between mkdir and writing its pid
      if (ownerAlive() === 0) rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another setup (pid ${owner}) holds ${lockDir}`);
    if (!announced) log('lock', `waiting for another setup to finish (pid ${owner})`);
    announced = true;
    sleep(1000);
  }
}
