import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The version of libtensorflow that tfjs-node at `dir` links, from the headers beside it
 * (`deps/include/tensorflow/core/public/version.h`, present for the wheel-provisioned library).
 * Without headers, the library's size stands in for a version, so a swapped library still shows.
 */
function libtensorflow(dir: string): string {
  try {
    const header = readFileSync(join(dir, 'deps/include/tensorflow/core/public/version.h'), 'utf8');
    const part = (name: string) => new RegExp(`#define ${name} (\\S+)`).exec(header)?.[1];
    const suffix = (part('TF_VERSION_SUFFIX') ?? '""').replace(/"/g, '');
    return `${part('TF_MAJOR_VERSION')}.${part('TF_MINOR_VERSION')}.${part('TF_PATCH_VERSION')}${suffix}`;
  } catch {
    const lib = join(dir, 'deps/lib');
    const names = (() => {
      try {
        return readdirSync(lib).filter((n) => /^libtensorflow.*\.so/.test(n));
      } catch {
        return [];
      }
    })();
    if (names.length === 0) return 'not installed';
    return names
      .sort()
      .map((n) => `${n}:${statSync(join(lib, n)).size}`)
      .join(' ');
  }
}

/** Native libraries behind installed packages, whose versions change numbers as much as code does. */
const PROBES: { [pkg: string]: { library: string; version(dir: string): string } } = {
  '@tensorflow/tfjs-node': { library: 'libtensorflow', version: libtensorflow },
};

/** `{ libtensorflow: '2.18.1' }` for the packages that load a native library, else nothing. */
export function nativeLibraryVersions(packages: ReadonlyMap<string, { dir: string }>): {
  [library: string]: string;
} {
  const versions: { [library: string]: string } = {};
  for (const [name, { dir }] of packages) {
    const probe = PROBES[name];
    if (probe) versions[probe.library] = probe.version(dir);
  }
  return versions;
}
