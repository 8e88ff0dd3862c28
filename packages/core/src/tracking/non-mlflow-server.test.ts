import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowClient } from './mlflow-client.ts';

// A real HTTP server that is not MLflow (a web server's pages), on the tracking URI by mistake.
const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>404 Not Found</title>
  <style>body { font-family: sans-serif; }</style>
</head>
<body>
  <h1>Not Found</h1>
  <p>The requested URL was not found on this server.</p>
  ${'<p>filler</p>\n'.repeat(200)}
</body>
</html>
`;

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const ok = req.url?.includes('get-by-name'); // answers 200 with a page, like a catch-all front end
    res.writeHead(ok ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(ok ? PAGE.replace('404 Not Found', 'Welcome to nginx!') : PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('a tracking URI that points at a web server that is not MLflow', () => {
  it('reports an HTML error page as one short line (its title), not the page', async () => {
    const client = new MlflowClient(url, { timeoutMs: 5000 });
    const error = (await client.createExperiment('x').catch((e: Error) => e)) as Error;
    expect(error.message).toBe(
      'MLflow experiments/create failed: HTTP 404 — not an MLflow server? it answered 404 Not Found',
    );
    expect(error.message).not.toContain('\n');
  });

  it('reports a 200 answer that is not JSON as a coded error with one line, not a SyntaxError', async () => {
    const client = new MlflowClient(url, { timeoutMs: 5000 });
    const error = (await client.getExperimentByName('x').catch((e: Error) => e)) as Error & { code?: string };
    expect(error.name).not.toBe('SyntaxError');
    expect(error.code).toBe('TRACKING_REQUEST');
    expect(error.message).toBe(
      'MLflow experiments/get-by-name failed: HTTP 200 — not an MLflow server? it answered text/html; charset=utf-8: Welcome to nginx!',
    );
  });
});
