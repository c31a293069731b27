/**
 * CloudWatch Embedded Metric Format: one JSON line per namespace on stdout becomes metrics, with
 * no PutMetricData permission and no extra API call. The function's log format must stay `Text`.
 */

export interface EmfMetric {
  readonly name: string;
  readonly unit: "Percent" | "Count" | "Milliseconds";
  readonly value: number;
}

/** An EMF line; metrics without a value are left out. Extra properties are searchable in the logs. */
export function emfLine(opts: {
  readonly namespace: string;
  readonly dimension: string;
  readonly dimensionValue: string;
  readonly timestampMs: number;
  readonly metrics: readonly EmfMetric[];
  readonly properties?: Readonly<Record<string, string | number>>;
}): string {
  const metrics = opts.metrics.filter((metric) => Number.isFinite(metric.value));
  return JSON.stringify({
    ...opts.properties,
    _aws: {
      Timestamp: opts.timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: opts.namespace,
          Dimensions: [[opts.dimension]],
          Metrics: metrics.map((metric) => ({ Name: metric.name, Unit: metric.unit })),
        },
      ],
    },
    [opts.dimension]: opts.dimensionValue,
    ...Object.fromEntries(metrics.map((metric) => [metric.name, Math.round(metric.value * 1000) / 1000])),
  });
}
