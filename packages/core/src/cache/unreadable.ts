import { SerxError } from '../errors.ts';

/** A cache file serx may not read or write: the environment's fault (permissions), named; never "corrupt". */
export function unreadable(path: string, error: NodeJS.ErrnoException): SerxError {
  const why =
    error.code === 'EACCES' || error.code === 'EPERM'
      ? `permission denied (${error.code}) for this user (uid ${process.getuid?.() ?? '?'}); fix its permissions or run as its owner`
      : `${error.code}: ${error.message}`;
  return new SerxError('ENVIRONMENT', `cannot read ${path}: ${why}`, { cause: error });
}
