/**
 * The golive program: read and validate the stack config, build the environment, return the stack
 * outputs. Config errors stop it before any resource is registered. `index.ts` hands this function
 * to Pulumi; tests and offline plans call it under the recording engine.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./config/load";
import { Environment } from "./components/environment";

export function goliveProgram() {
  const config = loadStackConfig();
  const environment = new Environment({
    config,
    supabaseAccessToken: new pulumi.Config("supabase").getSecret("accessToken"),
  });
  // Non-secret outputs only: operators read secrets from Secrets Manager, never from stack outputs.
  return {
    environmentName: config.environment,
    appUrl: environment.appUrl,
    supabaseProjectRef: environment.database.projectRef,
    supabaseApiUrl: environment.database.apiUrl,
    serverSecretArn: environment.secrets.secretArn,
    serverSecretNames: environment.secrets.secretNames,
    backupBucket: environment.database.backupBucketName,
    /** How the deploy workflow runs a backup on demand (backup-task/run-on-demand.sh); absent when off. */
    backupTask: environment.backup?.onDemand ?? null,
    cloudflareZoneId: environment.cdn.zoneId,
    hostnames: environment.cdn.hostnames,
    alertTopicArns: environment.alerts.topicArns,
    budgetName: environment.billing.budgetName,
    /** Job name → when it runs, in words, for reviewers and operators. */
    cronSchedules: environment.cron?.schedules ?? {},
    /** For the app's build: client-exposed variables only, never a server secret (SEC-03). */
    publicVariables: environment.secrets.publicVariables,
  };
}
