// What the apps need to run, under the recording engine in `pulumi up` and `pulumi preview` modes:
// edge functions with their verify_jwt pinned, current API keys, Auth SMTP and deep links, the Vercel
// host's variables and domains, and the ordering of the Management API calls.
import * as http from "node:http";
import Module from "node:module";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RawConfig } from "../config/load";
import { MANAGEMENT_SETTING_TYPE } from "../lib/component-types";
import { findResource, type RecordedResource, type Recording } from "../tooling/engine/record";
import { isSecret, isUnknown, revealSecrets, type RecordedValue } from "../tooling/engine/wire";
import { readStackFile, withPlaceholderSecrets } from "../tooling/stack-files";
import { recordStack } from "./support/record-stack";
import { REPO_ROOT } from "./support/stacks";

const EDGE_FUNCTION = "supabase:index/edgeFunction:EdgeFunction";
const APIKEY = "supabase:index/apikey:Apikey";
const SETTINGS = "supabase:index/settings:Settings";
const PROJECT = "supabase:index/project:Project";
const VERCEL_ENV = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
const VERCEL_DOMAIN = "vercel:index/projectDomain:ProjectDomain";
const VERCEL_PROJECT = "vercel:index/project:Project";

function exampleConfig(example: string, environment: "staging" | "prod"): RawConfig {
  const file = path.join(REPO_ROOT, "examples", example, `Pulumi.${environment}.yaml`);
  return withPlaceholderSecrets(readStackFile(file, environment)).config;
}

function recordExample(
  example: string,
  environment: "staging" | "prod",
  preview: boolean,
  config?: RawConfig,
) {
  return recordStack(environment, { preview, config: config ?? exampleConfig(example, environment) });
}

const cache = new Map<string, Promise<Recording>>();
function cached(key: string, make: () => Promise<Recording>): Promise<Recording> {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key)!;
}
const root = (stack: "staging" | "prod", preview: boolean) =>
  cached(`root:${stack}:${preview}`, () => recordStack(stack, { preview }));
const budgetzen = (preview: boolean) =>
  cached(`budgetzen:${preview}`, () => recordExample("budgetzen-notifications", "prod", preview));

/** A recorded string input, secrets revealed; fails the test when it is not a string. */
function text(value: RecordedValue | undefined): string {
  const revealed = revealSecrets(value ?? null);
  if (typeof revealed !== "string") throw new Error(`expected a string, got ${JSON.stringify(revealed)}`);
  return revealed;
}

const byType = (rec: Recording, type: string) => rec.resources.filter((resource) => resource.type === type);
const dependsOn = (resource: RecordedResource, other: RecordedResource) =>
  resource.options.dependencies.includes(other.urn);

describe.each([false, true])("edge functions of example 000 (preview: %s)", (preview) => {
  it("deploys each function from its folder, named by its slug", async () => {
    const rec = await budgetzen(preview);
    const functions = byType(rec, EDGE_FUNCTION);
    expect(functions.map((fn) => fn.inputs.slug)).toEqual([
      "send-notification",
      "process-queue",
      "schedule-daily-jobs",
      "schedule-weekly-jobs",
    ]);
    for (const fn of functions) {
      // An explicit name: the bridge's auto-name would be `<resource name>-<suffix>`.
      expect(fn.inputs.name).toBe(fn.inputs.slug);
      expect(fn.inputs.entrypoint).toBe(
        `examples/budgetzen-notifications/supabase/functions/${text(fn.inputs.slug)}/index.ts`,
      );
    }
  });

  it("pins verify_jwt of each after its deploy: on, off only for the declared cron targets", async () => {
    const rec = await budgetzen(preview);
    const expected: Record<string, boolean> = {
      "send-notification": true,
      "process-queue": false,
      "schedule-daily-jobs": false,
      "schedule-weekly-jobs": false,
    };
    for (const [slug, verify] of Object.entries(expected)) {
      const call = findResource(rec, MANAGEMENT_SETTING_TYPE, `functions-${slug}-jwt`);
      expect(call.inputs.path).toBe(`/functions/${slug}`);
      expect(call.inputs.method).toBe("PATCH");
      expect(JSON.parse(text(call.inputs.body))).toEqual({ verify_jwt: verify });
      const fn = findResource(rec, EDGE_FUNCTION, `functions-${slug}`);
      expect(dependsOn(call, fn)).toBe(true);
      // Re-sent after each deploy: the trigger is the deployed version (unknown until the deploy in a preview).
      if (preview) expect(isUnknown(call.inputs.trigger)).toBe(true);
      else expect(call.inputs.trigger).toBe("version 1");
    }
  });

  it("deploys after Settings and the function secrets", async () => {
    const rec = await budgetzen(preview);
    const settings = findResource(rec, SETTINGS, "database-settings");
    const secrets = findResource(
      rec,
      "supabase:index/edgeFunctionSecrets:EdgeFunctionSecrets",
      "secrets-edge-functions",
    );
    for (const fn of byType(rec, EDGE_FUNCTION)) {
      expect(dependsOn(fn, settings)).toBe(true);
      expect(dependsOn(fn, secrets)).toBe(true);
    }
  });

  it("alarms on each function's 5xx rate and slowest invocation, from the Management API statistics", async () => {
    const rec = await budgetzen(preview);
    const alarms = byType(rec, "aws:cloudwatch/metricAlarm:MetricAlarm");
    const errors = alarms.find((alarm) => alarm.name === "alerts-alarm-function-process-queue-errors")!;
    expect(errors.inputs).toMatchObject({
      namespace: "golive/EdgeFunctions",
      metricName: "ErrorRate",
      dimensions: { Function: "process-queue" },
      threshold: 1,
      comparisonOperator: "GreaterThanThreshold",
    });
    const latency = alarms.find((alarm) => alarm.name === "alerts-alarm-function-process-queue-latency")!;
    expect(latency.inputs).toMatchObject({
      metricName: "MaxExecutionTime",
      threshold: 2000,
      unit: "Milliseconds",
    });
    const collector = findResource(rec, "aws:lambda/function:Function", "function-metrics-function");
    const variables = (collector.inputs.environment as { variables: Record<string, RecordedValue> })
      .variables;
    expect(variables.TOKEN_KEY).toBe("SUPABASE_METRICS_TOKEN");
    expect(variables.API_ENDPOINT).toBe("https://api.supabase.com");
    if (!preview) {
      expect((JSON.parse(text(variables.FUNCTIONS)) as { slug: string }[]).map((fn) => fn.slug)).toEqual([
        "process-queue",
        "schedule-daily-jobs",
        "schedule-weekly-jobs",
        "send-notification",
      ]);
    }
  });

  it("accepts the mobile deep link in Auth's redirect allow-list", async () => {
    const rec = await budgetzen(preview);
    const auth = JSON.parse(text(findResource(rec, SETTINGS, "database-settings").inputs.auth)) as {
      uri_allow_list: string;
    };
    expect(auth.uri_allow_list.split(",")).toContain("io.supabase.budgetzen://login-callback");
  });
});

describe.each([false, true])("the root stack (preview: %s)", (preview) => {
  it("creates a current secret API key with an explicit valid name, and legacy keys stay off", async () => {
    const rec = await root("prod", preview);
    const key = findResource(rec, APIKEY, "database-secret-key");
    expect(key.inputs.name).toBe("server");
    expect(text(key.inputs.name)).toMatch(/^[a-z_][a-z0-9_]*$/);
    expect(key.options.protect).toBe(true);
    expect(key.options.additionalSecretOutputs).toContain("apiKey");
    expect(findResource(rec, PROJECT, "database-project").inputs.legacyApiKeysEnabled).toBe(false);
    if (!preview) {
      const outputs = JSON.stringify(rec.stackOutputs);
      expect(outputs).toContain("sb_publishable_");
      expect(outputs).not.toContain("sb_secret_");
      expect(rec.stackOutputs.serverSecretNames).toContain("SUPABASE_SECRET_KEY");
      expect(rec.stackOutputs.serverSecretNames).not.toContain("SUPABASE_SERVICE_ROLE_KEY");
    }
  });

  it("sends Auth mail through Resend's SMTP with the provided key, the whole auth blob secret", async () => {
    const rec = await root("prod", preview);
    const settings = findResource(rec, SETTINGS, "database-settings");
    expect(isSecret(settings.inputs.auth)).toBe(true);
    expect(settings.options.additionalSecretOutputs).toContain("auth");
    const auth = JSON.parse(text(settings.inputs.auth)) as Record<string, unknown>;
    expect(auth).toMatchObject({
      smtp_host: "smtp.resend.com",
      smtp_port: "465",
      smtp_user: "resend",
      smtp_admin_email: "no-reply@dirtfree.com",
      smtp_sender_name: "Dirt Free CRM",
      smtp_pass: "golive-placeholder:RESEND_API_KEY",
    });
  });

  it("orders the Management API calls after Settings, and reads the pooler after its PATCH", async () => {
    const rec = await root("prod", preview);
    const settings = findResource(rec, SETTINGS, "database-settings");
    const pooler = findResource(rec, MANAGEMENT_SETTING_TYPE, "database-pooler");
    const pitr = findResource(rec, MANAGEMENT_SETTING_TYPE, "database-pitr");
    expect(dependsOn(pooler, settings)).toBe(true);
    expect(dependsOn(pitr, settings)).toBe(true);
    expect(pooler.inputs.endpoint).toBe("https://api.supabase.com");
    // The pooled DATABASE_URL comes from getPooler, which waits for the PATCH: the secret depends on it.
    const version = findResource(
      rec,
      "aws:secretsmanager/secretVersion:SecretVersion",
      "secrets-server-version",
    );
    // (A preview returns an unknown without the dependency: the project itself is not created yet.)
    if (!preview) expect(version.options.propertyDependencies.secretString).toContain(pooler.urn);
    const poolerReads = rec.invokes.filter((invoke) => invoke.token === "supabase:index/getPooler:getPooler");
    // A preview cannot read before the PATCH has run; an up reads once, after it.
    expect(poolerReads).toHaveLength(preview ? 0 : 1);
  });

  it("writes prod's variables to Vercel's production target: server secrets sensitive, client variables plain", async () => {
    const rec = await root("prod", preview);
    const project = findResource(rec, VERCEL_PROJECT, "hosting-project");
    expect(project.inputs).toMatchObject({ name: "dirt-free-crm", framework: "nextjs" });
    expect(project.options.protect).toBe(true);
    const variables = byType(rec, VERCEL_ENV);
    const byKey = new Map(variables.map((variable) => [text(variable.inputs.key), variable]));
    for (const key of [
      "SUPABASE_SECRET_KEY",
      "DATABASE_URL",
      "STRIPE_SECRET_KEY",
      "CRON_SECRET",
      "RESEND_API_KEY",
    ]) {
      const variable = byKey.get(key)!;
      expect(variable.inputs.sensitive, key).toBe(true);
      const value = variable.inputs.value;
      expect(isSecret(value) || (preview && isUnknown(value)), key).toBe(true);
      expect(variable.inputs.targets).toEqual(["production"]);
    }
    for (const key of ["NEXT_PUBLIC_SUPABASE_URL", "NEXT_PUBLIC_SUPABASE_ANON_KEY", "NEXT_PUBLIC_APP_URL"]) {
      expect(byKey.get(key)!.inputs.sensitive, key).toBe(false);
    }
    // Ops-only secrets stay out of the app's host.
    expect(byKey.has("PAGERDUTY_CLOUDWATCH_URL")).toBe(false);
    expect(byKey.has("CLOUDFLARE_ANALYTICS_TOKEN")).toBe(false);
    if (!preview) {
      expect(text(byKey.get("NEXT_PUBLIC_SUPABASE_ANON_KEY")!.inputs.value)).toMatch(/^sb_publishable_/);
      expect(text(byKey.get("SUPABASE_SECRET_KEY")!.inputs.value)).toMatch(/^sb_secret_/);
    }
    expect(byType(rec, VERCEL_DOMAIN).map((domain) => domain.inputs.domain)).toEqual(["app.dirtfree.com"]);
  });

  it("writes staging's variables to the preview target of its branch, in the project prod owns", async () => {
    const rec = await root("staging", preview);
    expect(byType(rec, VERCEL_PROJECT)).toEqual([]);
    const lookups = rec.invokes.filter((invoke) => invoke.token === "vercel:index/getProject:getProject");
    expect(lookups.map((invoke) => invoke.args.name)).toEqual(["dirt-free-crm"]);
    const variables = byType(rec, VERCEL_ENV);
    expect(variables.length).toBeGreaterThan(10);
    for (const variable of variables) {
      expect(variable.inputs.targets).toEqual(["preview"]);
      expect(variable.inputs.gitBranch).toBe("staging");
    }
    const [domain] = byType(rec, VERCEL_DOMAIN);
    expect(domain!.inputs).toMatchObject({ domain: "staging.dirtfree.com", gitBranch: "staging" });
  });
});

describe("example 002", () => {
  it.each([false, true])(
    "deploys momentum-score-calculator with JWT verification on (preview: %s)",
    async (preview) => {
      const rec = await recordExample("bee-mvp", "prod", preview);
      const call = findResource(rec, MANAGEMENT_SETTING_TYPE, "functions-momentum-score-calculator-jwt");
      expect(JSON.parse(text(call.inputs.body))).toEqual({ verify_jwt: true });
      const settings = findResource(rec, SETTINGS, "database-settings");
      const auth = JSON.parse(text(settings.inputs.auth)) as {
        uri_allow_list: string;
      };
      expect(auth.uri_allow_list).toContain("io.supabase.beemvp://login-callback");
    },
  );
});

/** Load a dynamic provider the way the engine's dynamic provider host does: `require` its serialized text. */
function loadSerializedProvider(text: string): {
  create(inputs: Record<string, unknown>): Promise<{ id: string }>;
} {
  const module = new Module("dynamic-provider") as Module & { _compile(code: string, file: string): void };
  module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
    REPO_ROOT,
  );
  module._compile(text, path.join(REPO_ROOT, "dynamic-provider.js"));
  return (module.exports as { handler: () => ReturnType<typeof loadSerializedProvider> }).handler();
}

describe("the serialized Management provider, as the engine runs it", () => {
  it("honours supabase:endpoint and retries a 503 from there", async () => {
    const seen: string[] = [];
    const server = http.createServer((request, response) => {
      seen.push(`${request.method} ${request.url}`);
      response.writeHead(seen.length === 1 ? 503 : 200, { "content-type": "application/json" });
      response.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const base = exampleConfig("bee-mvp", "prod");
      const config: RawConfig = { ...base, values: { ...base.values, "supabase:endpoint": endpoint } };
      const rec = await recordExample("bee-mvp", "prod", false, config);
      const call = findResource(rec, MANAGEMENT_SETTING_TYPE, "functions-momentum-score-calculator-jwt");
      expect(call.inputs.endpoint).toBe(endpoint);
      const provider = loadSerializedProvider(text(call.inputs.__provider));
      const { __provider: _serialized, ...recorded } = revealSecrets(call.inputs) as Record<string, unknown>;
      const projectRef = text(call.inputs.projectRef);
      const created = await provider.create({ ...recorded, accessToken: "sbp_test" });
      expect(created.id).toBe(`${projectRef}/functions/momentum-score-calculator`);
      expect(seen).toEqual([
        `PATCH /v1/projects/${projectRef}/functions/momentum-score-calculator`,
        `PATCH /v1/projects/${projectRef}/functions/momentum-score-calculator`,
      ]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
