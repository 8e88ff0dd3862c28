/** Limits the MLflow tracking server enforces (mlflow/utils/validation.py, MLflow 3.x). */
export const limits = {
  entitiesPerBatch: 1000,
  paramsAndTagsPerBatch: 100,
  key: 250,
  paramValue: 6000,
  tagValue: 8000,
} as const;

/** Truncates over-long keys and values to the server's limits, warning once per entry. */
export function truncateEntries<T extends { key: string; value: string }>(
  entries: T[],
  maxValue: number,
  kind: 'param' | 'tag',
  warn: (message: string) => void,
): T[] {
  return entries.map((entry) => {
    let { key, value } = entry;
    if (key.length > limits.key) {
      warn(`${kind} key '${key.slice(0, 40)}…' is ${key.length} characters; truncated to ${limits.key}`);
      key = key.slice(0, limits.key);
    }
    if (value.length > maxValue) {
      warn(
        `${kind} '${key}' value is ${value.length} characters; truncated to MLflow's limit of ${maxValue}`,
      );
      value = value.slice(0, maxValue);
    }
    return key === entry.key && value === entry.value ? entry : { ...entry, key, value };
  });
}
