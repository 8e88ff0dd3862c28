import { type FileHandle, mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, SerxError } from '@serx/core';
import { littleEndianBytes } from './endian.ts';
import {
  DEFAULT_SHARD_BYTES,
  FEATURE_STORE_FORMAT,
  type FeatureRow,
  type FeatureRowInput,
  type FeatureStoreMeta,
  INDEX_FILE,
  META_FILE,
  shardFileName,
} from './format.ts';

export interface FeatureStoreWriterOptions {
  /** Values per frame. */
  dims: number;
  sampleRate?: number;
  /** Extra fields for `meta.json` (MFCC options, producer...). */
  meta?: Record<string, unknown>;
  /** Shard roll-over size in bytes (default 64 MiB). */
  shardBytes?: number;
}

/**
 * Streams rows into a feature store directory: memory use is one row at a time plus a small
 * index buffer. Call {@link close} to write `meta.json`; a store without it is incomplete.
 *
 * @example
 * ```ts
 * const writer = await FeatureStoreWriter.create(dir, { dims: 40, sampleRate: 16000 });
 * await writer.append({ id, corpus, speaker, label, class: 'neutral', split: 'train' }, mfcc);
 * const meta = await writer.close();
 * ```
 */
export class FeatureStoreWriter {
  private shard = -1;
  private shardHandle: FileHandle | undefined;
  private shardFloats = 0;
  private count = 0;
  private frames = 0;
  private indexBuffer: string[] = [];
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly options: Required<Pick<FeatureStoreWriterOptions, 'dims' | 'shardBytes'>> &
      FeatureStoreWriterOptions,
    private readonly index: FileHandle,
  ) {}

  static async create(dir: string, options: FeatureStoreWriterOptions): Promise<FeatureStoreWriter> {
    if (!Number.isInteger(options.dims) || options.dims < 1) {
      throw new SerxError(
        ErrorCodes.INTERNAL,
        `feature store dims must be a positive integer, got ${options.dims}`,
      );
    }
    await mkdir(dir, { recursive: true });
    const index = await open(join(dir, INDEX_FILE), 'w');
    return new FeatureStoreWriter(dir, { shardBytes: DEFAULT_SHARD_BYTES, ...options }, index);
  }

  /** Appends one utterance: `data.length` must be a multiple of `dims` (frames × dims, row-major). */
  async append(row: FeatureRowInput, data: Float32Array): Promise<FeatureRow> {
    if (this.closed) throw new SerxError(ErrorCodes.INTERNAL, `feature store ${this.dir} is already closed`);
    const { dims } = this.options;
    if (data.length === 0 || data.length % dims !== 0) {
      throw new SerxError(
        ErrorCodes.INPUT_DATA,
        `features of '${row.id}' have ${data.length} values, not a positive multiple of dims=${dims}`,
      );
    }
    const bytes = data.length * 4;
    if (
      !this.shardHandle ||
      (this.shardFloats > 0 && this.shardFloats * 4 + bytes > this.options.shardBytes)
    ) {
      await this.rollShard();
    }
    const stored: FeatureRow = {
      ...row,
      frames: data.length / dims,
      shard: this.shard,
      offset: this.shardFloats,
    };
    await this.shardHandle!.write(littleEndianBytes(data));
    this.shardFloats += data.length;
    this.count += 1;
    this.frames += stored.frames;
    this.indexBuffer.push(JSON.stringify(stored));
    if (this.indexBuffer.length >= 256) await this.flushIndex();
    return stored;
  }

  /** Flushes everything and writes `meta.json`; returns it. */
  async close(): Promise<FeatureStoreMeta> {
    if (this.closed) throw new SerxError(ErrorCodes.INTERNAL, `feature store ${this.dir} is already closed`);
    this.closed = true;
    await this.flushIndex();
    await this.index.close();
    await this.shardHandle?.close();
    const meta: FeatureStoreMeta = {
      ...this.options.meta,
      format: FEATURE_STORE_FORMAT,
      dims: this.options.dims,
      dtype: 'float32',
      ...(this.options.sampleRate === undefined ? {} : { sampleRate: this.options.sampleRate }),
      count: this.count,
      frames: this.frames,
      shards: this.shard + 1,
    };
    await writeFile(join(this.dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    return meta;
  }

  private async rollShard(): Promise<void> {
    await this.shardHandle?.close();
    this.shard += 1;
    this.shardFloats = 0;
    this.shardHandle = await open(join(this.dir, shardFileName(this.shard)), 'w');
  }

  private async flushIndex(): Promise<void> {
    if (this.indexBuffer.length === 0) return;
    const text = `${this.indexBuffer.join('\n')}\n`;
    this.indexBuffer = [];
    await this.index.write(text);
  }
}
