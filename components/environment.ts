/**
 * One environment (staging or prod) of the app, composed from one component per concern. Its
 * resource name is the environment, so the policy pack can read the environment from the stack's
 * root component; its transformation tags every taggable AWS child (ENV-03).
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/load";
import type { EnvironmentIdentity } from "../lib/naming";
import { Database } from "./database";
import { Secrets } from "./secrets";
import { tagTransformation } from "./tagging";

export const ENVIRONMENT_TYPE = "golive:environment:Environment";

export interface EnvironmentArgs {
  readonly config: StackConfig;
  /** Token for Supabase Management API calls (pooler, PITR); SUPABASE_ACCESS_TOKEN when absent. */
  readonly supabaseAccessToken?: pulumi.Input<string>;
}

export class Environment extends pulumi.ComponentResource {
  readonly database: Database;
  readonly secrets: Secrets;
  readonly appUrl: string;

  constructor(args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    const { config } = args;
    const tags = {
      app: config.app.name,
      environment: config.environment,
      owner: config.app.owner,
      costCenter: config.app.costCenter,
    };
    super(
      ENVIRONMENT_TYPE,
      config.environment,
      {},
      {
        ...opts,
        transformations: [...(opts?.transformations ?? []), tagTransformation(tags)],
      },
    );
    const identity: EnvironmentIdentity = { app: config.app.name, environment: config.environment };
    const isProd = config.environment === "prod";
    this.appUrl = `https://${config.app.hostname}`;

    this.database = new Database(
      "database",
      { identity, config: config.database, protect: isProd, managementAccessToken: args.supabaseAccessToken },
      { parent: this },
    );

    this.secrets = new Secrets(
      "secrets",
      {
        identity,
        config: config.secrets,
        protect: isProd,
        providedValues: config.providedSecrets,
        derivedValues: {
          SUPABASE_SERVICE_ROLE_KEY: this.database.serviceRoleKey,
          DATABASE_URL: this.database.pooledConnectionString,
        },
        projectRef: this.database.projectRef,
        publicSources: pulumi
          .all([this.database.apiUrl, this.database.anonKey])
          .apply(([supabaseUrl, supabaseAnonKey]) => ({ supabaseUrl, supabaseAnonKey, appUrl: this.appUrl })),
      },
      { parent: this },
    );

    this.registerOutputs({
      projectRef: this.database.projectRef,
      apiUrl: this.database.apiUrl,
      secretArn: this.secrets.secretArn,
      publicVariables: this.secrets.publicVariables,
    });
  }
}
