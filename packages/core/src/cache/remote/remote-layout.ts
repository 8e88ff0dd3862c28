/**
 * Object names of a remote cache under its prefix:
 *
 * ```
 * <prefix>entries/<key[:2]>/<key>.json   an entry's manifest: its commit, written last
 * <prefix>files/<sha[:2]>/<sha256>       one file's bytes, named by their sha256
 * ```
 *
 * Files are content-addressed, so two pushes of one key (or two entries sharing a file) write the
 * same bytes to the same names, and a file is never half of two things. An entry exists on the
 * remote exactly when its manifest does: readers never look at files that no manifest names.
 */

const KEY = /^[0-9a-f]{64}$/;

export const isHex64 = (text: string) => KEY.test(text);

export const entriesPrefix = (prefix: string) => `${prefix}entries/`;

export const entryObject = (prefix: string, key: string) =>
  `${entriesPrefix(prefix)}${key.slice(0, 2)}/${key}.json`;

export const fileObject = (prefix: string, sha256: string) =>
  `${prefix}files/${sha256.slice(0, 2)}/${sha256}`;

/** The key of an entry object's name, or undefined for any other object. */
export function keyOfEntryObject(prefix: string, name: string): string | undefined {
  const match = /^([0-9a-f]{2})\/([0-9a-f]{64})\.json$/.exec(name.slice(entriesPrefix(prefix).length));
  return name.startsWith(entriesPrefix(prefix)) &&
    match &&
    (match[2] as string).startsWith(match[1] as string)
    ? match[2]
    : undefined;
}
