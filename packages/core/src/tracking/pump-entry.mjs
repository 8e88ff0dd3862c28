// Pump-thread entry: TypeScript sources need tsx's loader in this thread too.
import { register } from 'tsx/esm/api';

register();
await import('./pump-worker.ts');
