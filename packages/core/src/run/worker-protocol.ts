import type { StageResult } from '../contract.ts';
import type { ContextData } from './context.ts';

/** Parent → worker. */
export type ToWorker =
  | { type: 'run'; plugin: string; fromDir: string; stage: string; data: ContextData }
  | { type: 'abort'; reason: string };

/** Worker → parent. */
export type FromWorker =
  | { type: 'log'; level: 'debug' | 'info' | 'warn'; message: string }
  | { type: 'total'; units: number; label?: string }
  | { type: 'tick'; units?: number }
  | { type: 'metric'; name: string; value: number; step?: number }
  | { type: 'tag'; name: string; value: string }
  | { type: 'artifact'; path: string }
  | { type: 'done'; result: StageResult | undefined }
  | { type: 'error'; error: { name: string; message: string; stack?: string; code?: string } };
