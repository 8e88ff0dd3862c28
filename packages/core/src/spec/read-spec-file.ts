import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { SourceLocation } from '../errors.ts';
import { ErrorCodes, SerxError } from '../errors.ts';
import { interpolateEnvOnly } from './interpolate.ts';
import { mergeSpecs } from './merge.ts';
import { specError } from './spec-error.ts';
import type { LMap } from './yaml-tree.ts';
import { parseYamlTree } from './yaml-tree.ts';

export interface SpecTree {
  /** The merged document (without `extends`). */
  tree: LMap;
  /** Absolute paths of the files merged, top-level file first. */
  files: string[];
}

/** Reads a spec file and, recursively, the files it `extends:`, merging children over parents. */
export function readSpecTree(file: string, env: NodeJS.ProcessEnv): SpecTree {
  return readChain(resolve(file), [], env, undefined);
}

function readChain(
  file: string,
  chain: string[],
  env: NodeJS.ProcessEnv,
  from: SourceLocation | undefined,
): SpecTree {
  if (chain.includes(file)) {
    const cycle = [...chain.slice(chain.indexOf(file)), file]
      .map((f) => relative(process.cwd(), f))
      .join(' → ');
    throw specError({
      code: ErrorCodes.SPEC_EXTENDS_CYCLE,
      message: `cycle: ${cycle}`,
      loc: from as SourceLocation,
      specPath: 'extends',
    });
  }
  const tree = parseFile(file, from);
  const entry = tree.entries.get('extends');
  if (!entry) return { tree, files: [file] };
  const value = entry.value;
  if (value.kind !== 'scalar' || typeof value.value !== 'string' || value.value === '') {
    throw specError({
      code: ErrorCodes.SPEC_INVALID,
      message: 'extends must be a file path',
      loc: value.loc,
      specPath: 'extends',
    });
  }
  const target = resolve(dirname(file), String(interpolateEnvOnly(value, env)));
  const parent = readChain(target, [...chain, file], env, value.loc);
  const own: LMap = { ...tree, entries: new Map([...tree.entries].filter(([key]) => key !== 'extends')) };
  return { tree: mergeSpecs(parent.tree, own), files: [file, ...parent.files] };
}

function parseFile(file: string, from: SourceLocation | undefined): LMap {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    if (!from) throw new SerxError(ErrorCodes.USAGE, `spec file ${file} ${reason}`, { cause });
    throw new SerxError(ErrorCodes.SPEC_EXTENDS_NOT_FOUND, `${relative(process.cwd(), file)} ${reason}`, {
      loc: from,
      specPath: 'extends',
      cause,
    });
  }
  const tree = parseYamlTree(source, file, (path, key, loc) => {
    if (path.length !== 1 || path[0] !== 'stages') return false;
    throw specError({
      code: ErrorCodes.SPEC_DUPLICATE_STAGE,
      message: `stage id '${key}' is declared twice; rename one`,
      loc,
      specPath: `stages.${key}`,
    });
  });
  if (tree.kind !== 'map') {
    throw specError({ code: ErrorCodes.SPEC_INVALID, message: 'a spec must be a YAML map', loc: tree.loc });
  }
  return tree;
}
