import { SerxError } from '../../../errors.ts';
import type { JobStatus } from '../batch-scheduler.ts';

/** `squeue -o` format matching `parseSqueue`: id, name, state, nodes, reason (`|`-separated). */
export const SQUEUE_FORMAT = '%i|%j|%T|%N|%r';

/** `sbatch --parsable` prints `<id>` or `<id>;<cluster>`. */
export function parseSbatch(stdout: string): string {
  const id = stdout.trim().split('\n').at(-1)?.split(';')[0]?.trim() ?? '';
  if (!/^\d+(_\d+)?$/.test(id))
    throw new SerxError('SCHEDULER', `sbatch printed no job id (output: ${JSON.stringify(stdout.trim())})`);
  return id;
}

/**
 * Lines of `squeue -h -o '%i|%j|%T|%N|%r'`. A job name may itself contain `|`: the name is
 * everything between the id and the last three fields.
 */
export function parseSqueue(stdout: string): JobStatus[] {
  const jobs: JobStatus[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    const fields = line.split('|');
    if (fields.length < 5) continue;
    const [id, ...rest] = fields;
    const [state, nodes, reason] = rest.splice(-3);
    jobs.push({
      id: (id as string).trim(),
      name: rest.join('|'),
      state: (state as string).trim(),
      ...(nodes && nodes !== '(null)' ? { nodes } : {}),
      ...(reason && reason !== 'None' ? { reason } : {}),
    });
  }
  return jobs;
}

/** `scontrol show job -o <id>`: one line of `Key=Value` pairs (values may contain spaces only at the end: `Command=`...). */
export function parseScontrolJob(stdout: string): JobStatus | undefined {
  const line = stdout.split('\n').find((l) => l.includes('JobId='));
  if (!line) return undefined;
  const fields = new Map<string, string>();
  for (const match of line.matchAll(/(?:^|\s)([A-Za-z][A-Za-z0-9:/_]*)=(\S*)/g))
    if (!fields.has(match[1] as string)) fields.set(match[1] as string, match[2] as string);
  const id = fields.get('JobId');
  const state = fields.get('JobState');
  if (!id || !state) return undefined;
  const nodes = fields.get('NodeList');
  const reason = fields.get('Reason');
  const exitCode = fields.get('ExitCode');
  return {
    id,
    name: fields.get('JobName') ?? '',
    state,
    ...(nodes && nodes !== '(null)' ? { nodes } : {}),
    ...(reason && reason !== 'None' ? { reason } : {}),
    ...(exitCode ? { exitCode } : {}),
  };
}
