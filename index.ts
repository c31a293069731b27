/**
 * golive: read and validate the stack config, build the environment, export what the app and
 * operators need. Config errors stop the program before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./config/load";
import { Environment } from "./components/environment";

const config = loadStackConfig();
const environment = new Environment({
  config,
  supabaseAccessToken: new pulumi.Config("supabase").getSecret("accessToken"),
});

export const environmentName = config.environment;
export const appUrl = environment.appUrl;
export const supabaseProjectRef = environment.database.projectRef;
export const supabaseApiUrl = environment.database.apiUrl;
export const serverSecretArn = environment.secrets.secretArn;
export const serverSecretNames = environment.secrets.secretNames;
export const backupBucket = environment.database.backupBucketName;
/** For the app's build: client-exposed variables only, never a server secret (SEC-03). */
export const publicVariables = environment.secrets.publicVariables;
