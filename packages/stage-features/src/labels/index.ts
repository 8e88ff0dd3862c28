export { DEFAULT_MAPPING, DROP, effectiveMapping, mapLabel, type ClassTarget, type MappingOptions } from './mapping.ts';
