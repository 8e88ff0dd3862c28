/** `serx sync`: replays every journal with pending events to MLflow, idempotently. */
import { Journal, listJournals } from './journal.ts';
import { MlflowClient } from './mlflow-client.ts';
import { replayJournal } from './replay.ts';

export interface SyncReport {
  journals: number;
  applied: number;
  /** Journals still pending (server errors), with the reason. */
  failed: { runId: string; reason: string; pending: number }[];
}

export async function syncJournals(trackingUri: string, journalDir: string): Promise<SyncReport> {
  const client = new MlflowClient(trackingUri);
  const report: SyncReport = { journals: 0, applied: 0, failed: [] };
  for (const runId of listJournals(journalDir)) {
    const journal = new Journal(journalDir, runId);
    if (journal.pending() === 0) continue;
    report.journals++;
    const result = await replayJournal(client, journal);
    report.applied += result.applied;
    if (result.error) report.failed.push({ runId, reason: result.error.message, pending: result.pending });
  }
  return report;
}
