/** The edge function metrics collector as one CommonJS file for the Lambda Node.js 20 runtime (see ../bundle.ts). */
import { bundleLambda, type LambdaBundle } from "../bundle";

export function bundleFunctionMetrics(): LambdaBundle {
  return bundleLambda("function-metrics", "the edge function metrics collector");
}
