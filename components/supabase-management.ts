/**
 * A dynamic resource for the Supabase Management API calls that provider 1.10.1 cannot make
 * (pooler settings, the PITR add-on). Each resource is one idempotent PATCH; it runs on create and
 * whenever the body changes. Deleting it leaves the project's setting as it was: the project, not
 * this resource, owns the setting.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ManagementRequest } from "../lib/database";

export const DEFAULT_MANAGEMENT_ENDPOINT = "https://api.supabase.com";

interface ManagementCallInputs {
  readonly projectRef: string;
  readonly method: string;
  readonly path: string;
  /** JSON text, so diffs compare exactly what is sent. */
  readonly body: string;
  readonly endpoint: string;
  /** Falls back to SUPABASE_ACCESS_TOKEN in the environment of `pulumi up`. */
  readonly accessToken?: string;
}

async function callManagementApi(inputs: ManagementCallInputs): Promise<void> {
  const token = inputs.accessToken ?? process.env.SUPABASE_ACCESS_TOKEN;
  if (!token) {
    throw new Error(
      "no Supabase access token: set it with `pulumi config set --secret supabase:accessToken <token>` or export SUPABASE_ACCESS_TOKEN",
    );
  }
  const url = `${inputs.endpoint}/v1/projects/${inputs.projectRef}${inputs.path}`;
  const response = await fetch(url, {
    method: inputs.method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: inputs.body,
  });
  if (!response.ok) {
    const detail = (await response.text()).slice(0, 500);
    throw new Error(
      `${inputs.method} ${inputs.path} for project ${inputs.projectRef} failed: ${response.status} ${detail}`,
    );
  }
}

const managementProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: ManagementCallInputs) {
    await callManagementApi(inputs);
    return { id: `${inputs.projectRef}${inputs.path}`, outs: inputs };
  },
  diff(_id: string, olds: ManagementCallInputs, news: ManagementCallInputs) {
    const replaces =
      olds.projectRef !== news.projectRef || olds.path !== news.path ? ["projectRef", "path"] : [];
    const changes =
      replaces.length > 0 ||
      olds.body !== news.body ||
      olds.method !== news.method ||
      olds.endpoint !== news.endpoint;
    return Promise.resolve({ changes, replaces, deleteBeforeReplace: false });
  },
  async update(_id: string, _olds: ManagementCallInputs, news: ManagementCallInputs) {
    await callManagementApi(news);
    return { outs: news };
  },
};

export interface ManagementSettingArgs {
  readonly projectRef: pulumi.Input<string>;
  readonly request: ManagementRequest;
  readonly endpoint?: pulumi.Input<string>;
  readonly accessToken?: pulumi.Input<string>;
}

/** Registered as `pulumi-nodejs:dynamic/supabase:ManagementSetting`, which the policy pack recognises. */
export const MANAGEMENT_SETTING_TYPE = "pulumi-nodejs:dynamic/supabase:ManagementSetting";

export class ManagementSetting extends pulumi.dynamic.Resource {
  constructor(name: string, args: ManagementSettingArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      managementProvider,
      name,
      {
        projectRef: args.projectRef,
        method: args.request.method,
        path: args.request.path,
        body: JSON.stringify(args.request.body),
        endpoint: args.endpoint ?? DEFAULT_MANAGEMENT_ENDPOINT,
        accessToken: args.accessToken ? pulumi.secret(args.accessToken) : undefined,
      },
      { ...opts, additionalSecretOutputs: ["accessToken"] },
      "supabase",
      "ManagementSetting",
    );
  }
}
