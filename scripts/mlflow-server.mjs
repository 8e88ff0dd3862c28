#!/usr/bin/env node
// `npm run mlflow`: a local MLflow tracking server (sqlite backend, proxied artifacts) from the
// project's venv. Data in $SERX_MLFLOW_DIR (default .serx/mlflow); port $MLFLOW_PORT (default 5000).
import { resolve } from 'node:path';
import { registerTypeScript } from '../packages/core/src/loader/register.mjs';

registerTypeScript();
const { startMlflowServer } = await import('../packages/core/src/tracking/mlflow-server.ts');
const dir = resolve(process.env.SERX_MLFLOW_DIR ?? '.serx/mlflow');
const server = await startMlflowServer({ dir, port: Number(process.env.MLFLOW_PORT ?? 5000) });
console.log(`MLflow tracking server: ${server.uri}  (data: ${dir})`);
console.log(`Use it:  export MLFLOW_TRACKING_URI=${server.uri}`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.process.on('exit', (code) => process.exit(code ?? 1));
