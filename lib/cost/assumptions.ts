/**
 * `golive:billing.assumptions`: what the estimate cannot read from the stack itself (log volumes,
 * backup sizes, request counts, plans billed outside the program). Every value has a documented
 * default, and the estimate lists each one it used next to the total, saying whether it came from
 * config or is the default.
 */
import { z } from "zod";

const gb = z.number({ error: "must be a number of GB" }).min(0, "must be 0 or more");
const count = z
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .min(0, "must be 0 or more");

function withExample<T extends z.ZodType>(schema: T, example: string, description: string): T {
  return schema.meta({ example, description });
}

export const billingAssumptionsShape = {
  logIngestGbPerMonth: withExample(gb, "1", "GB ingested into each log group a month").default(1),
  logIngestGbByLogGroup: withExample(
    z.record(z.string().min(1), gb),
    '{"/my-app/prod/app": 20}',
    "GB ingested a month for named log groups (by log group name), overriding logIngestGbPerMonth",
  ).default({}),
  storageHorizonMonths: withExample(
    count.min(1, "must be at least 1").max(120, "must be at most 120"),
    "12",
    "months of accumulated logs and backups the estimate stores (retention permitting)",
  ).default(12),
  lambdaDurationMs: withExample(
    count.min(1, "must be at least 1"),
    "1000",
    "average billed duration of one function invocation, in milliseconds",
  ).default(1000),
  kmsRequestsPerKey: withExample(count, "10000", "requests to each KMS key a month").default(10000),
  notificationsPerTopic: withExample(
    count,
    "100",
    "messages published to each SNS topic a month (alarm state changes, budget alerts)",
  ).default(100),
  sqsRequestsPerQueue: withExample(count, "10000", "requests to each SQS queue a month").default(10000),
  backupSizeGb: withExample(gb, "1", "size of one database backup (a pg_dump) in GB").default(1),
  backupsPerMonth: withExample(
    count,
    "30",
    "backups written a month when no backup schedule is found in the stack",
  ).default(30),
  bucketStorageGb: withExample(gb, "1", "GB stored in each bucket that is not a backup bucket").default(1),
  taskRunMinutes: withExample(
    count.min(1, "must be at least 1"),
    "15",
    "minutes one scheduled Fargate task run takes",
  ).default(15),
  natProcessedGbPerMonth: withExample(gb, "5", "GB through each NAT gateway a month").default(5),
  healthCheckEndpoint: withExample(
    z.enum(["aws", "non-aws"], { error: 'must be "aws" or "non-aws"' }),
    "non-aws",
    "where the checked endpoints run (apps on Vercel, Netlify or Cloudflare are non-AWS)",
  ).default("non-aws"),
  edgeFunctionInvocationsPerMonth: withExample(
    count,
    "100000",
    "invocations of each Supabase edge function a month",
  ).default(100000),
  supabasePlan: withExample(
    z.enum(["free", "pro", "team"], { error: 'must be "free", "pro" or "team"' }),
    "pro",
    "the Supabase organization's plan",
  ).default("pro"),
  supabasePlanShare: withExample(
    z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1"),
    "0.5",
    "share of the organization's plan fee and compute credits this stack carries (0.5 when staging and prod share it)",
  ).default(1),
  cloudflareBilling: withExample(
    z.enum(["monthly", "annual"], { error: 'must be "monthly" or "annual"' }),
    "monthly",
    "how the Cloudflare zone's plan is billed",
  ).default("monthly"),
  vercelPlan: withExample(
    z.enum(["hobby", "pro"], { error: 'must be "hobby" or "pro"' }),
    "pro",
    "the Vercel team's plan",
  ).default("pro"),
  vercelMembers: withExample(
    count.min(1, "must be at least 1"),
    "1",
    "deploying members on the Vercel team (Pro bills per member)",
  ).default(1),
};

export const billingAssumptionsSchema = z.strictObject(billingAssumptionsShape);

export type BillingAssumptions = z.infer<typeof billingAssumptionsSchema>;
export type AssumptionKey = keyof BillingAssumptions;

export const DEFAULT_ASSUMPTIONS: BillingAssumptions = billingAssumptionsSchema.parse({});

/** What each assumption means, for the list next to the estimate. */
export function describeAssumption(key: AssumptionKey): string {
  const description = billingAssumptionsShape[key].unwrap().meta()?.description;
  return typeof description === "string" ? description : key;
}
