/**
 * The resolved experiment graph: what `resolve` + `graph` hand to `plan` and `run`.
 * Planning and running never look at YAML again; everything they need is here.
 */
import type { Json, StageDefinition } from '../contract.ts';
import type { SourceLocation } from '../errors.ts';
import type { AppliedOverride } from '../spec/overrides.ts';
import type { ShardSetting } from '../spec/shards.ts';

/** A reference from a node's input to one output of an upstream node. */
export interface InputRef {
  /** Upstream node id (with matrix variant suffix), e.g. `mfcc_emodb` or `ae[seed=1]`. */
  node: string;
  output: string;
}

export interface GraphNode {
  /** Unique id: the spec's stage id plus, for matrix variants, `[axis=value,...]` in matrix order. */
  id: string;
  /** The stage id as written under `stages:` in the spec. */
  stageId: string;
  /** Matrix assignment of this variant (empty when the stage does not vary). */
  variant: { [axis: string]: Json };
  definition: StageDefinition;
  /** The plugin that registered the stage (name and version are part of the cache key). */
  plugin: { name: string; version: string };
  /** Params after interpolation, ajv validation, defaults, and `format: path` resolution. */
  params: { [key: string]: Json };
  seed: number;
  /** Never garbage-collected (spec `pin: true`). */
  pin: boolean;
  /** Spec `shards:` / `shardSize:`: the node runs as shards and a merge (same key, same output). */
  shards?: ShardSetting;
  /** Wired inputs; `many` inputs get a list. Unwired optional inputs are absent. */
  inputs: { [name: string]: InputRef | InputRef[] };
  /** Static lineage: corpora whose data reaches each output of this node. */
  corpora: string[];
  /** Where the stage is declared (for errors). */
  loc: SourceLocation;
}

export interface ResolvedSpec {
  name: string;
  /** Absolute path of the top-level spec file. */
  file: string;
  /** Spec files merged through `extends:`, top-level file first. */
  files: string[];
  heldOut: string[];
  /** Plugin package names loaded for this spec. */
  plugins: string[];
  tracking: { mlflow?: { uri?: string; enabled?: boolean } } | undefined;
  /** The merged, interpolated spec document, overrides applied (recorded verbatim in the run record). */
  document: { [key: string]: Json };
  /** Command-line overrides applied over the files (`--set`, `--matrix`), in order; absent when none. */
  overrides?: AppliedOverride[];
}

export interface Graph {
  spec: ResolvedSpec;
  nodes: Map<string, GraphNode>;
  /** Node ids in a topological order (dependencies first, ties broken by spec order). */
  order: string[];
}
