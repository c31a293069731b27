/** The cron invoker as one CommonJS file for the Lambda Node.js 20 runtime (see ../bundle.ts). */
import { bundleLambda, type LambdaBundle } from "../bundle";

export function bundleCronInvoker(): LambdaBundle {
  return bundleLambda("cron-invoker", "the cron invoker");
}
