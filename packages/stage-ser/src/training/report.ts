import type { EpochRecord, TrainHooks } from './trainer.ts';

/** Per-epoch metrics (step = epoch) to the metrics sink and one log line. */
export function report(hooks: TrainHooks, r: EpochRecord): void {
  const m = hooks.metrics;
  m.metric('loss', r.loss, r.epoch);
  m.metric('train_ua', r.trainUa, r.epoch);
  m.metric('train_wa', r.trainWa, r.epoch);
  m.metric('val_loss', r.valLoss, r.epoch);
  m.metric('val_ua', r.valUa, r.epoch);
  m.metric('val_wa', r.valWa, r.epoch);
  hooks.log.info(
    `epoch ${r.epoch} ${r.phase}: loss ${r.loss.toFixed(4)} train UA ${r.trainUa.toFixed(3)} ` +
      `val loss ${r.valLoss.toFixed(4)} val UA ${r.valUa.toFixed(3)} WA ${r.valWa.toFixed(3)} (${r.seconds.toFixed(1)} s)`,
  );
}

/** `, ≤ 3m20s left` from the mean epoch time so far (early stopping may end sooner). */
export function eta(history: EpochRecord[], remainingEpochs: number): string {
  if (history.length === 0) return '';
  const mean = history.reduce((s, r) => s + r.seconds, 0) / history.length;
  const left = Math.round(mean * remainingEpochs);
  return `, ≤ ${Math.floor(left / 60)}m${String(left % 60).padStart(2, '0')}s left`;
}
