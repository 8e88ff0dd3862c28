// Child-process entry of ProcessExecutor: TypeScript sources need the TypeScript loader here too.
import { registerTypeScript } from '../loader/register.mjs';

registerTypeScript();
await import('./process-main.ts');
