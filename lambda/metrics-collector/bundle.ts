/** The metrics collector as one CommonJS file for the Lambda Node.js 20 runtime (see ../bundle.ts). */
import { bundleLambda, type LambdaBundle } from "../bundle";

export function bundleMetricsCollector(): LambdaBundle {
  return bundleLambda("metrics-collector", "the metrics collector");
}
