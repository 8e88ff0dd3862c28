/** Tracking backends reject NaN/Infinity (e.g. a silhouette of a one-class test set): drop them. */
export function finiteMetrics(metrics: { [name: string]: number }): { [name: string]: number } {
  return Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v)));
}
