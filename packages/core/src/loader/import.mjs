// `node --import <this file> script.ts`: a TypeScript script run directly (benches, test children,
// the backend's probe command in the repository), through core's loader (register.mjs).
import * as loader from './register.mjs';

loader.registerTypeScript();
