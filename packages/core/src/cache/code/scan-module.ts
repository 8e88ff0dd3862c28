import { createHash } from 'node:crypto';
import { init, parse } from 'es-module-lexer';
import { transform } from 'esbuild';

/**
 * What a module needs from another one. `names: '*'` means its whole namespace (`import * as`,
 * a dynamic `import()`); an empty list means it is imported for its side effects only.
 */
export interface ModuleImport {
  specifier: string;
  names: string[] | '*';
}

/** `export ... from`: names this module exports from another one, without running code of its own. */
export interface ModuleReExport {
  specifier: string;
  /** Exported name → name in the target (`'*'` for `export * as ns`); `'*'` for `export * from`. */
  names: { [exported: string]: string } | '*';
}

export interface ModuleScan {
  imports: ModuleImport[];
  reExports: ModuleReExport[];
  /** Names the module exports from its own code. */
  localExports: string[];
  /**
   * sha256 of the module as it runs, not as it is written: the compiled code printed without
   * whitespace or comments, with its import and `export ... from` statements sorted (names in braces
   * too). Formatting, comments, type-only code and import order change no key; any other edit does.
   */
  normalHash: string;
}

const LOADERS = {
  ts: 'ts',
  mts: 'ts',
  cts: 'ts',
  tsx: 'tsx',
  jsx: 'jsx',
  js: 'js',
  mjs: 'js',
  cjs: 'js',
} as const;

/** An import or `export ... from` statement with the names in its braces sorted. */
function sortedNames(statement: string): string {
  return statement.replace(/\{([^}]*)\}/, (_, list: string) => {
    const names = list
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean)
      .sort();
    return `{${names.join(',')}}`;
  });
}

function namedList(list: string): [string, string][] {
  return list
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [name, alias] = part.split(/\s+as\s+/) as [string, string | undefined];
      return [alias ?? name, name];
    });
}

/** The names an `import <clause> from` statement binds (esbuild's printing, without whitespace). */
function importedNames(clause: string): string[] | '*' {
  if (/\*\s*as\s/.test(clause)) return '*';
  const names: string[] = [];
  const braces = /\{([^}]*)\}/.exec(clause);
  if (braces) names.push(...namedList(braces[1] as string).map(([, name]) => name));
  const outside = clause
    .replace(/\{[^}]*\}/, '')
    .replace(/,/g, ' ')
    .trim();
  if (outside) names.push('default');
  return names;
}

/**
 * The imports and exports of one module's source, and its {@link ModuleScan.normalHash}. The
 * source is first compiled by esbuild, which drops type-only imports (they cannot change a result)
 * and prints the module in one normal form (no whitespace, no comments) that the lexer and the
 * small patterns below read reliably.
 */
export async function scanModule(source: string, file: string): Promise<ModuleScan> {
  const extension = /\.([cm]?[jt]sx?)$/.exec(file)?.[1] ?? '';
  let code = source;
  if (extension in LOADERS) {
    const loader = LOADERS[extension as keyof typeof LOADERS];
    code = (
      await transform(source, {
        loader,
        minifyWhitespace: true,
        legalComments: 'none',
        tsconfigRaw: { compilerOptions: {} },
        sourcefile: file,
      })
    ).code;
  }
  await init;
  const [found, exported] = parse(code, file);
  const imports: ModuleImport[] = [];
  const reExports: ModuleReExport[] = [];
  const statements: [number, number][] = [];
  for (const entry of found) {
    if (entry.n === undefined || entry.d === -2) continue; // import.meta, or import(<expression>)
    if (entry.d > -1) {
      imports.push({ specifier: entry.n, names: '*' });
      continue;
    }
    statements.push([entry.ss, entry.se]);
    const statement = code.slice(entry.ss, entry.se);
    // `import{a,b as c}from"x"`, `import d,{e}from"y"`, `export*as ns from"z"`, `import"w"`
    const clause = code
      .slice(entry.ss, entry.s - 1)
      .replace(/^(import|export)/, '')
      .replace(/\bfrom\s*$/, '')
      .trim();
    if (statement.startsWith('export')) {
      const star = /^\*\s*as\s+(\S+)$/.exec(clause);
      if (clause === '*') reExports.push({ specifier: entry.n, names: '*' });
      else if (star) reExports.push({ specifier: entry.n, names: { [star[1] as string]: '*' } });
      else
        reExports.push({
          specifier: entry.n,
          names: Object.fromEntries(namedList(clause.replace(/^\{|\}$/g, ''))),
        });
    } else {
      imports.push({ specifier: entry.n, names: importedNames(clause) });
    }
  }
  // CommonJS loads from ESM (`createRequire(import.meta.url)`), e.g. the native TensorFlow addon.
  for (const match of code.matchAll(/\brequire\(\s*"([^"\n]+)"\s*\)/g))
    imports.push({ specifier: match[1] as string, names: '*' });
  const reExported = new Set(reExports.flatMap((r) => (r.names === '*' ? [] : Object.keys(r.names))));
  const localExports = exported.map((e) => e.n).filter((name) => !reExported.has(name));
  return { imports, reExports, localExports, normalHash: normalHash(code, statements) };
}

/** See {@link ModuleScan.normalHash}: the module statements sorted, then the rest of the code. */
function normalHash(code: string, statements: readonly [number, number][]): string {
  const moduleLines = statements.map(([start, end]) => sortedNames(code.slice(start, end))).sort();
  let rest = '';
  let at = 0;
  for (const [start, end] of [...statements].sort((a, b) => a[0] - b[0])) {
    rest += code.slice(at, start);
    at = end;
  }
  rest += code.slice(at);
  return createHash('sha256').update(moduleLines.join('\n')).update('\n\0\n').update(rest).digest('hex');
}
