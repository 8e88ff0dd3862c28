// Where npm put TensorFlow.js, resolved from this package (the monorepo's hoisted node_modules or a
// study's own), and the setup state file next to it that src/state.ts reads.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

function resolveDir(name) {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** @tensorflow/tfjs-node's folder, or undefined when npm has not installed it. */
export function tfjsNodeDir() {
  return resolveDir('@tensorflow/tfjs-node');
}

/** `<node_modules>/.serx-setup/state.json` of the node_modules holding @tensorflow/tfjs. */
export function statePath() {
  const tfjs = resolveDir('@tensorflow/tfjs');
  const nodeModules = tfjs ? dirname(dirname(tfjs)) : join(packageDir, 'node_modules');
  return join(nodeModules, '.serx-setup', 'state.json');
}

/** node-pre-gyp's CLI as tfjs-node resolves it (tfjs-node's own dependency). */
export function nodePreGyp(tfjsNode) {
  return createRequire(join(tfjsNode, 'package.json')).resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp');
}

/**
 * The probe-training command (node's arguments): the TypeScript source through core's TypeScript
 * loader in the monorepo, the built JS in an installed package.
 */
export function verifyCommand() {
  const source = join(packageDir, 'src', 'verify-cli.ts');
  if (existsSync(source))
    return ['--import', join(packageDir, '..', 'core', 'src', 'loader', 'import.mjs'), source];
  return [join(packageDir, 'dist', 'verify-cli.js')];
}
