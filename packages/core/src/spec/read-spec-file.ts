import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { SourceLocation } from '../errors.ts';
import { ErrorCodes, quoteBytes, SerxError } from '../errors.ts';
import { interpolateEnvOnly } from './interpolate.ts';
import { mergeSpecs } from './merge.ts';
import { parsedSpec } from './parsed-specs.ts';
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

/** The file as text; a binary file (NUL bytes, not UTF-8) is refused with a short escaped excerpt. */
function specText(file: string, bytes: Buffer): string {
  let text: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {}
  if (text !== undefined && !text.includes('\0')) return text;
  throw new SerxError(
    ErrorCodes.SPEC_INVALID,
    `${relative(process.cwd(), file)} is not a text file (${text === undefined ? 'not UTF-8' : 'NUL bytes'}; it starts ${quoteBytes(bytes.subarray(0, 32).toString('latin1'))}, ${bytes.length} bytes); a spec is a YAML file`,
  );
}

function parseFile(file: string, from: SourceLocation | undefined): LMap {
  let source: string;
  try {
    source = specText(file, readFileSync(file));
  } catch (cause) {
    if (cause instanceof SerxError) {
      if (!from) throw new SerxError(ErrorCodes.USAGE, `spec file ${cause.message}`);
      throw new SerxError(ErrorCodes.SPEC_EXTENDS_NOT_FOUND, cause.message, {
        loc: from,
        specPath: 'extends',
      });
    }
    const reason = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    if (!from) throw new SerxError(ErrorCodes.USAGE, `spec file ${file} ${reason}`, { cause });
    throw new SerxError(ErrorCodes.SPEC_EXTENDS_NOT_FOUND, `${relative(process.cwd(), file)} ${reason}`, {
      loc: from,
      specPath: 'extends',
      cause,
    });
  }
  // Every duplicate key throws below, so a tree that parsed has none: it is saved and reused as is.
  const tree = parsedSpec(file, source, () =>
    parseYamlTree(source, file, (path, key, loc) => {
      if (path.length !== 1 || path[0] !== 'stages') return false;
      throw specError({
        code: ErrorCodes.SPEC_DUPLICATE_STAGE,
        message: `stage id '${key}' is declared twice; rename one`,
        loc,
        specPath: `stages.${key}`,
      });
    }),
  );
  if (tree.kind !== 'map') {
    throw specError({ code: ErrorCodes.SPEC_INVALID, message: 'a spec must be a YAML map', loc: tree.loc });
  }
  return tree;
}
