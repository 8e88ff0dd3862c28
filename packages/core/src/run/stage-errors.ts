import { formatError, SerxError, toSerxError } from '../errors.ts';
import type { GraphNode } from '../graph/types.ts';

/**
 * A stage's exception, wrapped with the node id and stage name; the original is the `cause`.
 * An error that already is this node's STAGE_FAILED (e.g. rebuilt from a cluster job that ran the
 * node) is returned as it is. Serx errors are recognised by code, wherever they were made.
 */
export function stageFailed(node: GraphNode, cause: unknown): SerxError {
  const serx = toSerxError(cause);
  if (serx?.code === 'STAGE_FAILED' && serx.specPath === `stages.${node.stageId}`) return serx;
  return new SerxError(
    'STAGE_FAILED',
    `stage '${node.id}' (${node.definition.name}) failed: ${formatError(cause)}`,
    { loc: node.loc, specPath: `stages.${node.stageId}`, cause: serx ?? cause },
  );
}

export function stageBrokeContract(node: GraphNode, problem: string): SerxError {
  return new SerxError('STAGE_FAILED', `stage '${node.id}' (${node.definition.name}) ${problem}`, {
    loc: node.loc,
    specPath: `stages.${node.stageId}`,
  });
}

/** The run (or a stage host) was told to stop: the abort reason of every run signal. */
export function interrupted(reason: string): SerxError {
  return new SerxError('INTERRUPTED', reason);
}

/** `what`'s run() returned a promise that can never settle (`what`: "run()", or the stages named). */
export function stageHung(what: string): SerxError {
  return new SerxError(
    'STAGE_HUNG',
    `${what}returned a promise that never settles (nothing is left for it to wait for): a missing resolve, or an await on an event that cannot come`,
  );
}

/** The process or thread a stage ran in ended before its run() settled (`how`: what is known of it). */
export function stageCrashed(how: string): SerxError {
  return new SerxError('STAGE_CRASHED', how);
}

/** A node that must be computed, in a cache that cannot be written. */
export function readOnlyMiss(node: GraphNode, cacheDir: string, why: string, corrupt: boolean): SerxError {
  return new SerxError(
    'ENVIRONMENT',
    `stage '${node.id}' (${node.definition.name}) ${corrupt ? 'has a corrupt entry' : 'is not in the cache'} and must be computed, but the cache ${cacheDir} is read-only (${why}); computing writes its tmp/, locks/, work/ and entries/: run with --cache <a writable copy> (or SERX_CACHE)`,
    { loc: node.loc, specPath: `stages.${node.stageId}` },
  );
}
