// Pump-thread entry: TypeScript sources need the TypeScript loader in this thread too.
import { registerTypeScript } from '../loader/register.mjs';

registerTypeScript();
await import('./pump-worker.ts');
