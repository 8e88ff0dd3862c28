/**
 * The remote cache: an S3 client and the prefix its objects live under, with the reading of
 * remote manifests (checked before anything they name is trusted).
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { EntryManifest } from '../manifest.ts';
import type { RemoteSettings } from './remote-config.ts';
import { entriesPrefix, entryObject, isHex64, keyOfEntryObject } from './remote-layout.ts';
import { S3Client } from './s3-client.ts';

/** Concurrent object transfers of one process. */
export const TRANSFERS = 8;

export type RemoteManifest =
  | { status: 'absent' }
  | { status: 'found'; manifest: EntryManifest; bytes: Buffer }
  | { status: 'corrupt'; reason: string };

/** Whether `path` is a plain relative path (`a/b.bin`): no empty, `.` or `..` part, not absolute. */
const plainPath = (path: string) =>
  typeof path === 'string' && path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');

/** Why a manifest read from the remote cannot be an entry of `key`, or undefined when it can. */
export function manifestProblem(key: string, value: unknown): string | undefined {
  const m = value as Partial<EntryManifest> | null;
  if (typeof m !== 'object' || m === null) return 'it is not a JSON object';
  if (m.format !== 1) return `it has format ${JSON.stringify(m.format)}, not 1`;
  if (m.key !== key) return `it names key ${String(m.key)}`;
  if (typeof m.outputs !== 'object' || m.outputs === null) return 'it has no outputs';
  for (const [name, output] of Object.entries(m.outputs)) {
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) return `it names an output '${name}'`;
    if (!Array.isArray(output?.files)) return `output ${name} has no file list`;
    for (const file of output.files) {
      if (!plainPath(file?.path)) return `output ${name} lists a file '${String(file?.path)}'`;
      if (!Number.isSafeInteger(file.size) || file.size < 0)
        return `file ${name}/${file.path} has size ${String(file.size)}`;
      if (typeof file.sha256 !== 'string' || !isHex64(file.sha256))
        return `file ${name}/${file.path} has sha256 ${String(file.sha256)}`;
    }
  }
  return undefined;
}

export class RemoteStore {
  readonly client: S3Client;
  readonly prefix: string;
  readonly url: string;
  /** Shared by every transfer of this store, so pulls and pushes of many entries stay bounded. */
  readonly limit: LimitFunction;

  constructor(settings: Pick<RemoteSettings, 'target' | 'prefix' | 'url'>, transfers = TRANSFERS) {
    this.client = new S3Client(settings.target);
    this.prefix = settings.prefix;
    this.url = settings.url;
    this.limit = pLimit(transfers);
  }

  entryName(key: string): string {
    return this.client.name(entryObject(this.prefix, key));
  }

  /** The committed manifest of `key`, checked; 'absent' when the remote has no such entry. */
  async manifest(key: string): Promise<RemoteManifest> {
    const bytes = await this.client.get(entryObject(this.prefix, key));
    if (!bytes) return { status: 'absent' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      return {
        status: 'corrupt',
        reason: `${this.entryName(key)} is not JSON (${(error as Error).message})`,
      };
    }
    const problem = manifestProblem(key, parsed);
    if (problem) return { status: 'corrupt', reason: `${this.entryName(key)}: ${problem}` };
    return { status: 'found', manifest: parsed as EntryManifest, bytes };
  }

  /** Keys of every committed entry on the remote (starting with `start`, if given). */
  async keys(start = ''): Promise<string[]> {
    const keys: string[] = [];
    const under = `${entriesPrefix(this.prefix)}${start.length >= 2 ? `${start.slice(0, 2)}/${start}` : start}`;
    for await (const object of this.client.list(under)) {
      const key = keyOfEntryObject(this.prefix, object.key);
      if (key?.startsWith(start)) keys.push(key);
    }
    return keys.sort();
  }
}
