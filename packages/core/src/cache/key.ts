import { createHash } from 'node:crypto';
import type { Json } from '../contract.ts';
import { canonicalJson } from './canonical-json.ts';
import type { CodeFingerprint } from './code/code-fingerprint.ts';

/**
 * Everything that determines a stage's outputs, and nothing else. The cache key is
 * `sha256(canonicalJson(CacheKeyInput))` as lower-case hex.
 *
 * Not in the key, on purpose: the node id and matrix variant (two ids with equal inputs share an
 * entry), paths (cache dir, spec file, temp dirs), timestamps, the thread budget, `pin`, and output
 * metadata of upstream stages (only their content hashes).
 */
export interface CacheKeyInput {
  /** Registered stage name, e.g. `features:mfcc`. */
  stage: string;
  /** The plugin package that registered the stage. */
  plugin: { name: string; version: string };
  /** `StageDefinition.version`. */
  version: string;
  /** Validated params with defaults applied (resolved paths included). */
  params: { [key: string]: Json };
  seed: number;
  /**
   * Content hash of each wired input artifact, by input name; a `many` input is a list in wiring
   * order. Unwired optional inputs are absent.
   */
  inputs: { [name: string]: string | string[] };
  /** `StageDefinition.fingerprint()` result; absent when the stage has none. */
  fingerprint?: string;
  /**
   * The stage's code: sha256 of its module, of the modules defining registry entries it uses, and
   * of everything they import (tests and benches excluded), plus the versions of installed
   * packages and native libraries they load. Absent when the stage's module is unknown (a stage
   * object defined inline, e.g. in a test).
   */
  code?: CodeFingerprint;
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The cache key of a stage execution (64 lower-case hex digits). */
export function cacheKey(input: CacheKeyInput): string {
  return sha256(canonicalJson(input));
}
