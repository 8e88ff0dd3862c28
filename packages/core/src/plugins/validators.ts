/**
 * JSON Schema validators without compiling on every start. ajv compiles a schema into JavaScript;
 * that code (ajv's `standalone` output) is kept by content — sha256 of the ajv version, the option
 * profile and the schema — so a later process evaluates the saved code instead of loading ajv and
 * compiling again. Looked up in `dist/validators/` of the packed core (written at build time for
 * the default plugins' schemas by scripts/pack.mjs), then in `$SERX_CACHE_HOME/validators`
 * (default `~/.cache/serx/validators`), else compiled and saved there. A saved one is evaluated when
 * it first validates, from V8's compiled form of it when the user cache has one
 * (`<key>.v8-<V8 version>`). A cache that cannot be written only costs the compile next time.
 */

import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';
import type { ErrorObject } from 'ajv';
import type { JsonSchema } from '../contract.ts';
import { readCached, readCachedBytes, saveCached, userCacheDir } from '../user-cache.ts';

/** A compiled schema: true when `data` is valid (defaults applied in place), else `errors` say why. */
export interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/**
 * ajv option sets. `params`: stage params (strict schemas, every error, defaults, the path
 * formats); `defaults`: plugin option objects (defaults, every error, lenient schemas); `plain`:
 * every error, nothing else.
 */
export type ValidatorProfile = 'params' | 'defaults' | 'plain';

const PROFILES = {
  params: {
    allErrors: true,
    useDefaults: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    allowUnionTypes: true,
  },
  defaults: { useDefaults: true, allErrors: true, strict: false },
  plain: { allErrors: true },
} as const;

/** The module id the saved code requires the path formats by. */
const FORMATS_ID = 'serx:path-formats';

const stat = (value: string) => statSync(value, { throwIfNoEntry: false });

/**
 * `path`, and `existing-path` / `existing-directory` / `existing-file`, checked on paths already
 * resolved against the spec file (validate-params.ts).
 */
export const PATH_FORMAT_CHECKS: { [format: string]: (value: string) => boolean } = {
  path: (value) => value.length > 0,
  'existing-path': (value) => stat(value) !== undefined,
  'existing-directory': (value) => stat(value)?.isDirectory() === true,
  'existing-file': (value) => stat(value)?.isFile() === true,
};

const require = createRequire(import.meta.url);
type AjvModule = typeof import('ajv');
type AjvInstance = InstanceType<AjvModule['Ajv']>;
let ajvModule: AjvModule | undefined;
const instances = new Map<ValidatorProfile, AjvInstance>();
const loaded = new Map<string, Validator>();
const bySchema = new Map<ValidatorProfile, WeakMap<object, Validator>>();

let ajvVersionRead: string | undefined;
function ajvVersion(): string {
  ajvVersionRead ??= (require('ajv/package.json') as { version: string }).version;
  return ajvVersionRead;
}

/** The ajv instance of a profile (ajv loads on the first compile only). */
function instance(profile: ValidatorProfile): AjvInstance {
  let ajv = instances.get(profile);
  if (!ajv) {
    ajvModule ??= require('ajv') as AjvModule;
    const { Ajv, _ } = ajvModule;
    ajv = new Ajv({ ...PROFILES[profile], code: { source: true, formats: _`require(${FORMATS_ID})` } });
    if (profile === 'params')
      for (const [name, check] of Object.entries(PATH_FORMAT_CHECKS)) ajv.addFormat(name, check);
    instances.set(profile, ajv);
  }
  return ajv;
}

/** Where saved validator code is looked up, first to last; the last one is written. */
export function validatorDirs(): string[] {
  return [new URL('../validators/', import.meta.url).pathname, userCacheDir('validators')];
}

/** The content key of a schema compiled with a profile. */
export function validatorKey(schema: JsonSchema, profile: ValidatorProfile): string {
  return createHash('sha256')
    .update(JSON.stringify([ajvVersion(), profile, PROFILES[profile], schema]))
    .digest('hex');
}

function evaluate(code: string): Validator {
  return evaluateScript(new Script(wrap(code)));
}

const wrap = (code: string) => `(function (require, module, exports) {\n${code}\n})`;

function evaluateScript(script: Script): Validator {
  const module = { exports: {} as unknown };
  const requireSaved = (id: string) => (id === FORMATS_ID ? PATH_FORMAT_CHECKS : require(id));
  (script.runInThisContext() as (r: typeof requireSaved, m: typeof module, e: unknown) => void)(
    requireSaved,
    module,
    module.exports,
  );
  return module.exports as Validator;
}

/**
 * A saved validator's code with V8's compiled form of it, kept beside it in the user cache once it
 * has validated (so its inner functions are compiled too): a later process neither parses nor
 * compiles it. V8 checks the form against its version and flags, and a rejected one is written again.
 */
function evaluateWithCodeCache(key: string, code: string): { validate: Validator; keep?: () => void } {
  const file = `${key}.v8-${process.versions.v8}`;
  const cachedData = readCachedBytes([userCacheDir('validators')], file);
  const script = new Script(wrap(code), { filename: `${key}.cjs`, ...(cachedData ? { cachedData } : {}) });
  const validate = evaluateScript(script);
  if (cachedData && !script.cachedDataRejected) return { validate };
  return { validate, keep: () => saveCached(userCacheDir('validators'), file, script.createCachedData()) };
}

function readSaved(key: string): string | undefined {
  return readCached(validatorDirs(), `${key}.cjs`);
}

function isSaved(key: string): boolean {
  return validatorDirs().some((dir) =>
    statSync(join(dir, `${key}.cjs`), { throwIfNoEntry: false })?.isFile(),
  );
}

/**
 * A validator whose saved code is evaluated when it first validates: the default plugins register
 * every stage they have, and a run validates the params of a few (start-up). The schema compiled
 * once, so it is valid; a damaged saved file is compiled again then.
 */
function onFirstUse(key: string, schema: JsonSchema, profile: ValidatorProfile): Validator {
  let validate: Validator | undefined;
  const lazy: Validator = (data) => {
    let keep: (() => void) | undefined;
    if (!validate) ({ validate, keep } = evaluateSaved(key, schema, profile));
    const valid = validate(data);
    lazy.errors = validate.errors;
    keep?.();
    return valid;
  };
  return lazy;
}

function evaluateSaved(
  key: string,
  schema: JsonSchema,
  profile: ValidatorProfile,
): { validate: Validator; keep?: () => void } {
  const saved = readSaved(key);
  try {
    return saved === undefined
      ? { validate: evaluate(compileValidator(schema, profile)) }
      : evaluateWithCodeCache(key, saved);
  } catch (error) {
    if (saved === undefined) throw error;
    return { validate: evaluate(compileValidator(schema, profile)) }; // a damaged saved file: compile again
  }
}

/** Compiles with ajv (throws ajv's error for a bad schema) and saves the code for the next process. */
export function compileValidator(schema: JsonSchema, profile: ValidatorProfile, dir?: string): string {
  const ajv = instance(profile);
  const validate = ajv.compile(schema);
  const standalone = (require('ajv/dist/standalone') as { default: (a: AjvInstance, v: unknown) => string })
    .default;
  const code = standalone(ajv, validate);
  saveCached(dir ?? (validatorDirs().at(-1) as string), `${validatorKey(schema, profile)}.cjs`, code);
  return code;
}

/**
 * The validator of `schema` under `profile`: once per schema object in a process, and compiled
 * once per schema content ever (see the file comment).
 */
export function schemaValidator(schema: JsonSchema, profile: ValidatorProfile): Validator {
  let objects = bySchema.get(profile);
  if (!objects) {
    objects = new WeakMap();
    bySchema.set(profile, objects);
  }
  let validate = objects.get(schema);
  if (validate) return validate;
  const key = validatorKey(schema, profile);
  validate = loaded.get(key);
  if (!validate) {
    // saved: evaluated when it first validates; never compiled: compiled now, so that a bad schema
    // fails here, where it is registered
    validate = isSaved(key) ? onFirstUse(key, schema, profile) : evaluate(compileValidator(schema, profile));
    loaded.set(key, validate);
  }
  objects.set(schema, validate);
  return validate;
}
