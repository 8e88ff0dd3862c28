/**
 * A thin typed client over MLflow's REST API (tracking server 2.x/3.x). No maintained npm client
 * exists, so this covers exactly what serx needs: experiments, runs, batched logging within the
 * server's limits, and artifacts (proxied `mlflow-artifacts:` URIs and local `file:` URIs).
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SerxError } from '../errors.ts';
import { limits, truncateEntries } from './mlflow-limits.ts';
import { waitingTimeout } from './waiting-timeout.ts';

export interface MlflowTag {
  key: string;
  value: string;
}
export interface MlflowParam {
  key: string;
  value: string;
}
export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}
/** A dataset input of a run (`runs/log-inputs`): what the UI's Dataset column shows. */
export interface MlflowDatasetInput {
  tags: MlflowTag[];
  dataset: {
    name: string;
    digest: string;
    source_type: string;
    source: string;
    schema?: string;
    profile?: string;
  };
}
export interface MlflowExperiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage?: string;
}
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export interface MlflowRunInfo {
  run_id: string;
  experiment_id: string;
  run_name?: string;
  status: RunStatus;
  start_time?: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage?: string;
}
export interface MlflowRun {
  info: MlflowRunInfo;
  data: { metrics?: MlflowMetric[]; params?: MlflowParam[]; tags?: MlflowTag[] };
}
export interface MlflowFileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** An error answered by the server (or the network). `retriable` is false for 4xx answers. */
export class MlflowRequestError extends SerxError {
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly retriable: boolean;
  constructor(
    endpoint: string,
    status: number,
    errorCode: string | undefined,
    detail: string,
    cause?: unknown,
  ) {
    super(
      'TRACKING_REQUEST',
      `MLflow ${endpoint} failed: ${status === 0 ? 'server unreachable' : `HTTP ${status}`}${errorCode ? ` ${errorCode}` : ''}${detail ? ` — ${detail}` : ''}`,
      { cause },
    );
    this.status = status;
    this.errorCode = errorCode;
    this.retriable = status === 0 || status >= 500 || status === 429;
  }
}

export interface MlflowClientOptions {
  /** Per-request timeout, counted in time spent waiting (see `waiting-timeout.ts`); default 15 s. */
  timeoutMs?: number;
  /** Called with a warning (e.g. a value truncated to the server's limits). */
  warn?: (message: string) => void;
}

export class MlflowClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly warn: (message: string) => void;

  constructor(trackingUri: string, options: MlflowClientOptions = {}) {
    this.baseUrl = trackingUri.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.warn = options.warn ?? (() => {});
  }

  async getExperimentByName(name: string): Promise<MlflowExperiment | undefined> {
    try {
      const res = await this.call<{ experiment: MlflowExperiment }>(
        'GET',
        `experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`,
      );
      return res.experiment;
    } catch (error) {
      if (error instanceof MlflowRequestError && error.errorCode === 'RESOURCE_DOES_NOT_EXIST')
        return undefined;
      throw error;
    }
  }

  async createExperiment(name: string, tags: MlflowTag[] = []): Promise<string> {
    const res = await this.call<{ experiment_id: string }>('POST', 'experiments/create', { name, tags });
    return res.experiment_id;
  }

  /** The id of the experiment called `name`, created when missing (race-safe). */
  async ensureExperiment(name: string): Promise<string> {
    const found = await this.getExperimentByName(name);
    if (found) return found.experiment_id;
    try {
      return await this.createExperiment(name);
    } catch (error) {
      if (error instanceof MlflowRequestError && error.errorCode === 'RESOURCE_ALREADY_EXISTS') {
        const again = await this.getExperimentByName(name);
        if (again) return again.experiment_id;
      }
      throw error;
    }
  }

  async createRun(options: {
    experimentId: string;
    runName?: string;
    startTime?: number;
    tags?: MlflowTag[];
  }): Promise<MlflowRunInfo> {
    const tags = truncateEntries(options.tags ?? [], limits.tagValue, 'tag', this.warn);
    // Not retried here: a request lost after the server handled it would create a second run.
    const res = await this.call<{ run: MlflowRun }>(
      'POST',
      'runs/create',
      {
        experiment_id: options.experimentId,
        run_name: options.runName,
        start_time: options.startTime ?? Date.now(),
        tags,
      },
      false,
    );
    return res.run.info;
  }

  async updateRun(runId: string, status: RunStatus, endTime?: number): Promise<void> {
    await this.call('POST', 'runs/update', { run_id: runId, status, end_time: endTime ?? Date.now() });
  }

  async getRun(runId: string): Promise<MlflowRun> {
    const res = await this.call<{ run: MlflowRun }>('GET', `runs/get?run_id=${encodeURIComponent(runId)}`);
    return res.run;
  }

  /** All runs of the experiments matching `filter` (MLflow search syntax), following page tokens. */
  async searchRuns(experimentIds: string[], filter = '', orderBy: string[] = []): Promise<MlflowRun[]> {
    const runs: MlflowRun[] = [];
    let pageToken: string | undefined;
    do {
      const res = await this.call<{ runs?: MlflowRun[]; next_page_token?: string }>('POST', 'runs/search', {
        experiment_ids: experimentIds,
        filter,
        order_by: orderBy,
        max_results: 1000,
        page_token: pageToken,
      });
      runs.push(...(res.runs ?? []));
      pageToken = res.next_page_token || undefined;
    } while (pageToken);
    return runs;
  }

  /**
   * Logs metrics, params and tags, split into requests within the server's limits (≤ 1000
   * metrics, ≤ 100 params + tags, ≤ 1000 entities per call); over-long values are truncated with
   * a warning.
   */
  async logBatch(
    runId: string,
    batch: { metrics?: MlflowMetric[]; params?: MlflowParam[]; tags?: MlflowTag[] },
  ): Promise<void> {
    const params = truncateEntries(batch.params ?? [], limits.paramValue, 'param', this.warn);
    const tags = truncateEntries(batch.tags ?? [], limits.tagValue, 'tag', this.warn);
    const metrics = (batch.metrics ?? []).map((m) => ({ ...m, key: m.key.slice(0, limits.key) }));
    let [mi, pi, ti] = [0, 0, 0];
    while (mi < metrics.length || pi < params.length || ti < tags.length) {
      const p = params.slice(pi, pi + limits.paramsAndTagsPerBatch);
      const t = tags.slice(ti, ti + limits.paramsAndTagsPerBatch - p.length);
      const m = metrics.slice(mi, mi + limits.entitiesPerBatch - p.length - t.length);
      await this.call('POST', 'runs/log-batch', { run_id: runId, metrics: m, params: p, tags: t });
      [mi, pi, ti] = [mi + m.length, pi + p.length, ti + t.length];
    }
  }

  /** Logs dataset inputs; the server skips a dataset the run already has, so a replay adds none. */
  async logInputs(runId: string, datasets: MlflowDatasetInput[]): Promise<void> {
    if (datasets.length) await this.call('POST', 'runs/log-inputs', { run_id: runId, datasets });
  }

  async getMetricHistory(runId: string, key: string): Promise<MlflowMetric[]> {
    const metrics: MlflowMetric[] = [];
    let pageToken: string | undefined;
    do {
      // Without max_results the server answers an empty first page.
      const query = `run_id=${encodeURIComponent(runId)}&metric_key=${encodeURIComponent(key)}&max_results=25000`;
      const res = await this.call<{ metrics?: MlflowMetric[]; next_page_token?: string }>(
        'GET',
        `metrics/get-history?${query}${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ''}`,
      );
      metrics.push(...(res.metrics ?? []));
      pageToken = res.metrics?.length ? res.next_page_token || undefined : undefined;
    } while (pageToken);
    return metrics;
  }

  /**
   * Uploads `localPath` as `artifactPath` (relative, `/`-separated) of a run whose artifact root is
   * `artifactUri`: through the proxied artifact API for `mlflow-artifacts:` roots, by copying for
   * `file:` roots. Other schemes (s3:, gs:...) need the Python client and are refused.
   */
  async logArtifact(artifactUri: string, localPath: string, artifactPath: string): Promise<void> {
    if (artifactUri.startsWith('mlflow-artifacts:')) {
      const root = artifactUri.replace(/^mlflow-artifacts:(\/\/[^/]*)?/, '').replace(/^\/+/, '');
      const url = `${this.baseUrl}/api/2.0/mlflow-artifacts/artifacts/${encodePath(root)}/${encodePath(artifactPath)}`;
      const body = await readFile(localPath);
      // Large files get time in proportion to their size (1 s per MB on top of the usual timeout).
      const timeoutMs = this.timeoutMs + Math.ceil(body.length / 1e6) * 1000;
      await this.request(
        'PUT',
        url,
        'mlflow-artifacts/artifacts',
        body,
        'application/octet-stream',
        timeoutMs,
      );
      return;
    }
    if (artifactUri.startsWith('file:') || artifactUri.startsWith('/')) {
      const root = artifactUri.startsWith('file:') ? fileURLToPath(artifactUri) : artifactUri;
      const target = join(root, ...artifactPath.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await copyFile(localPath, target);
      return;
    }
    throw new SerxError(
      'TRACKING_ARTIFACT_SCHEME',
      `cannot upload to artifact URI ${artifactUri}: serx uploads through the tracking server's proxied artifact API (start it with --serve-artifacts) or to file: URIs`,
    );
  }

  async listArtifacts(runId: string, path = ''): Promise<MlflowFileInfo[]> {
    const res = await this.call<{ files?: MlflowFileInfo[] }>(
      'GET',
      `artifacts/list?run_id=${encodeURIComponent(runId)}${path ? `&path=${encodeURIComponent(path)}` : ''}`,
    );
    return res.files ?? [];
  }

  /** True when the server answers its health endpoint. */
  async ping(): Promise<boolean> {
    const timeout = waitingTimeout(Math.min(this.timeoutMs, 3000));
    try {
      const res = await fetch(`${this.baseUrl}/health`, { signal: timeout.signal });
      return res.ok;
    } catch {
      return false;
    } finally {
      timeout.clear();
    }
  }

  private call<T = unknown>(
    method: 'GET' | 'POST',
    endpoint: string,
    body?: unknown,
    retry = true,
  ): Promise<T> {
    const url = `${this.baseUrl}/api/2.0/mlflow/${endpoint}`;
    return this.request(
      method,
      url,
      endpoint.split('?')[0]!,
      body === undefined ? undefined : JSON.stringify(body),
      'application/json',
      this.timeoutMs,
      retry,
    ) as Promise<T>;
  }

  private async request(
    method: string,
    url: string,
    endpoint: string,
    body: string | Buffer | undefined,
    contentType: string,
    timeoutMs = this.timeoutMs,
    retry = true,
  ): Promise<unknown> {
    const timeout = waitingTimeout(timeoutMs);
    const send = async () => {
      const res = await fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': contentType },
        body,
        signal: timeout.signal,
      });
      return { res, text: await res.text() };
    };
    let answer: { res: Response; text: string };
    try {
      try {
        answer = await send();
      } catch (error) {
        // A keep-alive connection the server closed while it sat in the pool fails at once
        // ("other side closed"); the retry opens a fresh one. A real outage fails again.
        if (!retry || timeout.signal.aborted) throw error;
        answer = await send();
      }
    } catch (error) {
      throw new MlflowRequestError(endpoint, 0, undefined, networkReason(error), error);
    } finally {
      timeout.clear();
    }
    const { res, text } = answer;
    if (!res.ok) {
      let code: string | undefined;
      let message = oneLine(text);
      try {
        const parsed = JSON.parse(text) as { error_code?: string; message?: string };
        code = parsed.error_code;
        message = parsed.message ?? message;
      } catch {
        if (isPage(res, text)) message = `not an MLflow server? it answered ${oneLine(text)}`;
      }
      throw new MlflowRequestError(endpoint, res.status, code, message);
    }
    if (!text) return {};
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new MlflowRequestError(
        endpoint,
        res.status,
        undefined,
        `not an MLflow server? it answered ${res.headers.get('content-type') ?? 'without a content type'}: ${oneLine(text)}`,
        cause,
      );
    }
  }
}

function isPage(res: Response, text: string): boolean {
  return /html/i.test(res.headers.get('content-type') ?? '') || /^\s*</.test(text);
}

/**
 * A server's answer cut to one short line for a message: an HTML page becomes its title (or its
 * text without tags), whitespace collapses, at most 160 characters.
 */
export function oneLine(text: string, max = 160): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
  const plain = (title ?? text.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>|<[^>]*>/gi, ' '))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

/** `fetch failed (other side closed)`: undici hides the socket-level reason in `cause`. */
function networkReason(error: unknown): string {
  const message = (error as Error).message;
  const cause = (error as { cause?: { message?: string; code?: string } }).cause;
  const detail = cause?.message ?? cause?.code;
  return detail && detail !== message ? `${message} (${detail})` : message;
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
