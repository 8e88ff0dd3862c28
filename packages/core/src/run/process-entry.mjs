// Child-process entry of ProcessExecutor: TypeScript sources need tsx's loader here too.
import { register } from 'tsx/esm/api';

register();
await import('./process-main.ts');
