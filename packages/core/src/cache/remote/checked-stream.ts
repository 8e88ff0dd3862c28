/**
 * A pass-through that hashes what flows and holds back the last chunk until the whole stream
 * proved to be `size` bytes with sha256 `sha256`. An upload whose last bytes never leave cannot
 * complete (the store never creates the object), and a download that fails the check errors
 * before its file is finished: so neither side ever sees a partial or wrong file as complete.
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { SerxError } from '../../errors.ts';

export function checkedStream(expected: { sha256: string; size: number }, what: string): Transform {
  const hash = createHash('sha256');
  let bytes = 0;
  let held: Buffer | undefined;
  const wrong = (detail: string) =>
    new SerxError(
      'CACHE_CORRUPT',
      `${what}: ${detail}; expected ${expected.size} bytes with sha256 ${expected.sha256}`,
    );
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > expected.size) return done(wrong(`more than ${expected.size} bytes`));
      hash.update(chunk);
      const previous = held;
      held = chunk;
      done(null, previous);
    },
    flush(done) {
      if (bytes !== expected.size) return done(wrong(`${bytes} bytes`));
      const digest = hash.digest('hex');
      if (digest !== expected.sha256) return done(wrong(`sha256 ${digest}`));
      done(null, held);
    },
  });
}
