export { checkCoverage } from './coverage.ts';
export {
  type ClassTarget,
  DEFAULT_MAPPING,
  DROP,
  effectiveMapping,
  type MappingOptions,
  mapLabel,
} from './mapping.ts';
