import { SerxError } from '../errors.ts';
import { hostStage } from './stage-host.ts';
import type { FromHost, ToHost } from './stage-host-protocol.ts';

// Stages run here one at a time (see ProcessExecutor). The terminal's Ctrl-C reaches the whole
// process group: the runner decides how this stage stops (abort message, then kill).
process.on('SIGINT', () => {});
// The runner died (e.g. SIGKILL): nothing will publish this stage's outputs.
process.on('disconnect', () => process.exit(1));

// The runner's channel and stdio, and handles already being closed, cannot call into a stage.
const BENIGN = new Set(['PipeWrap', 'TTYWrap', 'CloseReq']);

const send = process.send?.bind(process);
if (!send || !process.channel)
  throw new SerxError('INTERNAL', 'process-main.ts runs only as a child of ProcessExecutor');
const channel = process.channel;

hostStage({
  post: (message: FromHost) => {
    send(message);
  },
  onMessage: (listener) => process.on('message', (message) => listener(message as ToHost)),
  holdOpen: (on) => (on ? channel.ref() : channel.unref()),
  end: (last, code) => {
    send(last, () => process.exit(code));
  },
  // Reused only when the stage left nothing behind that could run during the next one.
  reusable: () => process.getActiveResourcesInfo().every((r) => BENIGN.has(r)),
  useTmpDir: (dir) => {
    for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = dir;
  },
});
