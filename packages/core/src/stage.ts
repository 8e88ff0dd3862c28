// `@serx/core/stage`: what a plugin's modules that load with the plugin need (stage definitions,
// `plugin.ts`, corpus readers, encoder structures, doctor checks, provisioning steps), and nothing
// that pulls in the pipeline. A no-op rerun loads every plugin's definitions: through the full
// index (`@serx/core`) they would load the CLI, the runner, the executors and tracking a second
// way (127 of the ~200 modules of a no-op). Every name here but the user-cache helpers is also
// exported by the index; what a stage runs (`<stage>-run.ts`, imported when it runs) may import
// the index.

export { canonicalJson } from './cache/canonical-json.ts';
export * from './contract.ts';
export { definingModule, recordDefiningModule } from './defining-module.ts';
export * from './errors.ts';
export { addPathFormats } from './plugins/params-schema.ts';
export { schemaValidator, type Validator, type ValidatorProfile } from './plugins/validators.ts';
export * from './seeded-random.ts';
export * from './stats/special.ts';
export * from './stats/t-interval.ts';
export { threadBudget } from './threads.ts';
export { readCached, saveCached, userCacheDir } from './user-cache.ts';
