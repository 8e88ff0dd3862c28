import type { Cache } from '../cache/cache.ts';
import { remoteSettings } from '../cache/remote/remote-config.ts';
import { RemoteStore } from '../cache/remote/remote-store.ts';
import type { CliIO } from '../contract.ts';
import { SerxError } from '../errors.ts';
import type { Graph } from '../graph/types.ts';
import { planGraph } from '../run/plan.ts';
import { variantSelection } from './overrides.ts';

/** The configured remote cache; a `REMOTE` error saying how to configure one when there is none. */
export function openRemote(io: CliIO): RemoteStore {
  const settings = remoteSettings(io);
  if (!settings)
    throw new SerxError(
      'REMOTE',
      'no remote cache is configured: add `remote: s3://<bucket>/<prefix>` (and `endpoint:` for a store other than AWS) to serx.config.yaml, or set SERX_REMOTE',
    );
  const transfers = Number(io.env.SERX_REMOTE_TRANSFERS);
  return new RemoteStore(settings, Number.isInteger(transfers) && transfers > 0 ? transfers : undefined);
}

/** `1.2 MB` */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e5 ? 3 : 1)} MB`;
}

/** Whether a positional argument names keys rather than a spec: hex digits and no such file. */
export const looksLikeKey = (text: string) => /^[0-9a-f]{4,64}$/.test(text);

/** `--only`, `--from`, `--variant` as `serx run` reads them. */
export function selectionOf(
  graph: Graph,
  values: { only?: string[]; from?: string[]; variant?: string[] },
  io: CliIO,
): { only?: string[]; from?: string[] } {
  const selection = {
    ...(values.only ? { only: values.only } : {}),
    ...(values.from ? { from: values.from } : {}),
  };
  const variants = variantSelection(graph, values.variant, selection, io.cwd);
  return variants ? { only: variants } : selection;
}

/** The planned nodes of a spec's run against `cache` (which may pull through), by status. */
export async function planned(graph: Graph, cache: Cache, selection: { only?: string[]; from?: string[] }) {
  const plan = await planGraph(graph, cache, selection);
  const hits = plan.nodes.filter((n) => n.status === 'hit');
  return {
    plan,
    hits,
    /** Distinct keys of the hits (variants may share an entry). */
    keys: [...new Set(hits.map((n) => n.key as string))],
    missing: plan.nodes.filter((n) => n.status !== 'hit'),
  };
}
