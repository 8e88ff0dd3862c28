import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ErrorCodes, SerxError } from '../errors.ts';

/** The nearest package.json above `file` and its `type`, or undefined when there is none. */
function packageScope(file: string): { manifest: string; type: string | undefined } | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return { manifest, type: (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type };
      } catch {
        return { manifest, type: undefined };
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Node's errors for an ES module file loaded as CommonJS: a `.js` file with import/export under
 * `"type": "commonjs"` (Node's own SyntaxErrors; a package without "type" has its syntax detected),
 * or CommonJS requiring an ES module. (TypeScript files are ES modules whatever the scope: core's
 * loader, src/loader.)
 */
export function isEsmInCommonJsScope(error: unknown, file: string): boolean {
  const { code, name, message } = (error ?? {}) as { code?: string; name?: string; message?: string };
  if (
    code === 'ERR_REQUIRE_CYCLE_MODULE' ||
    code === 'ERR_REQUIRE_ESM' ||
    code === 'ERR_REQUIRE_ASYNC_MODULE'
  )
    return true;
  return (
    name === 'SyntaxError' &&
    /^(Cannot use import statement outside a module|Unexpected token 'export')$/.test(message ?? '') &&
    packageScope(file)?.type !== 'module'
  );
}

/**
 * Explains a plugin file with `import`/`export` that Node loaded as CommonJS. The file is imported
 * once more as an ES module (core's loader, src/loader) only to say what it exports: a module
 * without a plugin export is PLUGIN_INVALID whatever its scope (the instance is not used, since a
 * second copy of the core's classes would break `instanceof` checks).
 */
export async function esmScopeError(name: string, file: string, cause: unknown): Promise<SerxError> {
  const scope = packageScope(file);
  const where = scope
    ? `${scope.manifest} has ${scope.type ? `"type": "${scope.type}"` : 'no "type": "module"'}`
    : 'no package.json above it says "type": "module"';
  const fix = scope
    ? `add "type": "module" to ${scope.manifest}, or name the file ${esmName(file)}`
    : `add a package.json with {"type": "module"} beside it, or name the file ${esmName(file)}`;
  let exported: string[] | undefined;
  try {
    const { registerTypeScript, asEsModule } = await import('../loader/register.mjs');
    registerTypeScript();
    const module = (await import(asEsModule(file))) as Record<string, unknown>;
    if (!module.plugin && !(module.default as { stages?: unknown } | undefined)?.stages)
      exported = Object.keys(module).filter((k) => k !== 'default');
  } catch {
    // cannot even be inspected: the scope advice is all we can give
  }
  if (exported)
    return new SerxError(
      ErrorCodes.PLUGIN_INVALID,
      `module '${name}' exports no plugin (it exports: ${exported.join(', ') || 'nothing'}; expected \`export const plugin = definePlugin(...)\` or a default export); also, it is loaded as CommonJS because ${where}: ${fix}`,
      { cause },
    );
  return new SerxError(
    ErrorCodes.PLUGIN_LOAD,
    `plugin file ${file} uses import/export but is loaded as CommonJS because ${where}: ${fix}`,
    { cause },
  );
}

/** The extension that makes a file an ES module whatever its scope. */
const esmName = (file: string) => (/\.[cm]?tsx?$/.test(file) ? '.mts' : '.mjs');
