import { loadTensorflow } from '@serx/core';
import { registerBuiltinStructures, useNativeReluGrad } from '@serx/stage-autoencoder';
import { tfjsStepper } from './steppers.ts';
const { tf } = await loadTensorflow({ threads: 2 });
registerBuiltinStructures(); useNativeReluGrad(tf);
const cfg = { batch: 32, frames: 300, numCeps: 40, classes: 3, lstmUnits: 128, hiddenUnits: 64, warmup: 2, learningRate: 0.001 };
const mode = (process.argv[2] ?? 'lstm') as 'lstm' | 'full';
const step = tfjsStepper(tf, 'SerxLSTM block', mode, cfg, { units: 128, seqSteps: 75 });
const info = await tf.profile(() => { step(1); });
const by = new Map<string, { n: number; ms: number }>();
for (const k of info.kernels) { const e = by.get(k.name) ?? { n: 0, ms: 0 }; e.n++; e.ms += Number(k.kernelTimeMs ?? 0); by.set(k.name, e); }
const total = [...by.values()].reduce((a, b) => a + b.ms, 0);
console.log('kernels', info.kernels.length, 'total kernel ms', total.toFixed(1));
for (const [n, e] of [...by.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) console.log(n.padEnd(28), e.n, e.ms.toFixed(1));
for (let i = 0; i < 3; i++) { const t = step(5); console.log('per step wall ms', (t.wall * 200).toFixed(1), 'cpu ms', (t.cpu * 200).toFixed(1)); }
