import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { MANAGEMENT_SETTING_TYPE } from "../../lib/component-types";
import { T } from "../../policies/lib/types";
import { unverifiedFunctionsInToml } from "../../policies/sec";
import {
  analyzeResource,
  analyzeStack,
  isNotApplicable,
  notices,
  secret,
  undeterminable,
  UNKNOWN,
  violations,
} from "./harness";
import { ACCOUNTS, only, pack, res, type Env } from "./fixtures";

const FIXTURES = path.resolve(__dirname, "../fixtures/policies");
/** A service_role JWT as Supabase issues it (payload role service_role); the signature is fake. */
const SERVICE_ROLE_JWT = [
  Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url"),
  Buffer.from(JSON.stringify({ iss: "supabase", ref: "abcdefghijklmnop", role: "service_role" })).toString(
    "base64url",
  ),
  "c2lnbmF0dXJlLW5vdC1yZWFs",
].join(".");
const ANON_JWT = [
  Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url"),
  Buffer.from(JSON.stringify({ iss: "supabase", ref: "abcdefghijklmnop", role: "anon" })).toString(
    "base64url",
  ),
  "c2lnbmF0dXJlLW5vdC1yZWFs",
].join(".");
const GENERATED = "q8ZrT2vLxN4pW7sK1mB9cF3hJ6dG0yEa";

const lambda = (variables: Record<string, unknown>, extra = {}) =>
  res(
    T.lambda,
    "cron-invoker",
    { role: "arn:aws:iam::123456789012:role/x", environment: { variables } },
    extra,
  );

describe("sec-01-no-plaintext-secret-inputs", () => {
  const name = "sec-01-no-plaintext-secret-inputs";

  it("passes references and secrets in secret slots", async () => {
    const policies = only(pack("prod"), name);
    const ok = lambda({
      CRON_SECRET_ID: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x",
      CRON_SECRET_KEY: "CRON_SECRET",
    });
    expect(violations(await analyzeResource(policies, ok), name)).toEqual([]);
    const version = res(T.secretVersion, "app", {
      secretId: "x",
      secretString: secret(JSON.stringify({ CRON_SECRET: GENERATED })),
    });
    expect(violations(await analyzeResource(policies, version), name)).toEqual([]);
  });

  it("judges Vercel env vars by `sensitive`: a secret's place only when the variable is sensitive", async () => {
    const policies = only(pack("prod"), name);
    const variable = (sensitive: boolean) =>
      res("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", "stripe", {
        projectId: "prj_123",
        key: "STRIPE_KEY",
        value: "sk_live_51AbCdEfGhIjKlMn",
        sensitive,
        targets: ["production"],
      });
    const plain = violations(await analyzeResource(policies, variable(false)), name);
    expect(plain.map((d) => d.message).join("\n")).toContain("holds a Stripe secret key in plain text");
    expect(violations(await analyzeResource(policies, variable(true)), name)).toEqual([]);
    const listed = res("vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables", "env", {
      projectId: "prj_123",
      variables: [
        { key: "STRIPE_KEY", value: "sk_live_51AbCdEfGhIjKlMn", sensitive: false, targets: ["production"] },
        { key: "RESEND_KEY", value: "re_12345678_abcdefgh", sensitive: true, targets: ["production"] },
      ],
    });
    const found = violations(await analyzeResource(policies, listed), name).map((d) => d.message);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(".variables[0].value");
  });

  it("fails, mandatory in staging too, on a secret value in a Lambda environment", async () => {
    const bad = lambda({ CRON_SECRET: GENERATED, STRIPE: "sk_live_51AbCdEfGhIjKlMn" });
    for (const env of ["prod", "staging"] as Env[]) {
      const found = violations(await analyzeResource(only(pack(env), name), bad), name);
      const text = found.map((d) => d.message).join("\n");
      expect(text).toContain(".environment.variables.CRON_SECRET");
      expect(text).toContain("holds a Stripe secret key in plain text");
      expect(text).not.toContain(GENERATED);
      expect(found.every((d) => d.enforcementLevel === "mandatory")).toBe(true);
    }
  });

  it("fails a secret under a lower-case Lambda variable and in {name, value} pairs", async () => {
    const lower = lambda({ cronSecret: GENERATED });
    expect(violations(await analyzeResource(only(pack("prod"), name), lower), name)[0]!.message).toContain(
      ".environment.variables.cronSecret",
    );
    const task = res("aws:ecs/taskDefinition:TaskDefinition", "raw-task", {
      family: "worker",
      containerDefinitions: JSON.stringify([
        { name: "worker", environment: [{ name: "CRON_SECRET", value: GENERATED }] },
      ]),
    });
    expect(violations(await analyzeResource(only(pack("prod"), name), task), name)[0]!.message).toContain(
      "CRON_SECRET is a secret's name",
    );
    const plain = res("aws:ecs/taskDefinition:TaskDefinition", "raw-task", {
      containerDefinitions: JSON.stringify([
        { name: "worker", environment: [{ name: "LOG_LEVEL", value: "info" }] },
      ]),
    });
    expect(violations(await analyzeResource(only(pack("prod"), name), plain), name)).toEqual([]);
  });

  it("flags a service_role key in a tag or description", async () => {
    const topic = res(T.topic, "alerts", { displayName: SERVICE_ROLE_JWT });
    const found = violations(await analyzeResource(only(pack("prod"), name), topic), name);
    expect(found[0]!.message).toContain("a Supabase service_role key");
  });

  it("accepts a property the author declared secret", async () => {
    const declared = lambda(
      { CRON_SECRET: GENERATED },
      { opts: { additionalSecretOutputs: ["environment"] } },
    );
    expect(violations(await analyzeResource(only(pack("prod"), name), declared), name)).toEqual([]);
  });

  it("reports a secret-named variable whose unknown value no dependency decides as undeterminable, naming it", async () => {
    const result = await analyzeStack(only(pack("prod"), name), [lambda({ CRON_SECRET: UNKNOWN })]);
    expect(undeterminable(result, name)).toHaveLength(1);
    expect(undeterminable(result, name)[0]!.message).toContain(".environment.variables.CRON_SECRET");
    expect(violations(result, name)).toEqual([]);
  });

  describe("data flow: a value derived from a generated secret is one whatever it is called", () => {
    const password = (props: Record<string, unknown> = {}) =>
      res(T.randomPassword, "hook-key", { length: 48, special: false, ...props });
    const flowing = (variables: Record<string, unknown>, source: { urn: string }) => ({
      ...lambda(variables),
      propertyDependencies: { environment: [source.urn] },
    });

    it("fails in preview (unknown, decided by the dependency) and at up (known), with the same verdict", async () => {
      const preview = password({ result: UNKNOWN });
      const previewResult = await analyzeStack(only(pack("prod"), name), [
        preview,
        flowing({ PARTNER_URL: "https://partner.example.com", UPSTREAM_AUTH: UNKNOWN }, preview),
      ]);
      expect(violations(previewResult, name)[0]?.message).toContain(".environment.variables.UPSTREAM_AUTH");
      expect(undeterminable(previewResult, name)).toEqual([]);
      const up = password({ result: GENERATED });
      const upResult = await analyzeStack(only(pack("prod"), name), [
        up,
        flowing({ PARTNER_URL: "https://partner.example.com", UPSTREAM_AUTH: GENERATED }, up),
      ]);
      expect(violations(upResult, name)[0]?.message).toContain(".environment.variables.UPSTREAM_AUTH");
      expect(violations(upResult, name)[0]?.message).not.toContain(GENERATED);
    });

    it("accepts a generated secret in a secret_text binding or a secret store, and short random suffixes in names", async () => {
      const key = password({ result: UNKNOWN });
      const worker = res(
        "cloudflare:index/workersScript:WorkersScript",
        "signed-urls",
        {
          bindings: [
            { name: "URL_SIGNING_KEY", type: "secret_text", text: UNKNOWN },
            { name: "LINK_TTL_SECONDS", type: "plain_text", text: "900" },
          ],
        },
        { propertyDependencies: { bindings: [key.urn] } },
      );
      const version = res(
        T.secretVersion,
        "v",
        { secretString: UNKNOWN },
        { propertyDependencies: { secretString: [key.urn] } },
      );
      const suffix = res("random:index/randomId:RandomId", "suffix", { byteLength: 4, hex: "a1b2c3d4" });
      const bucket = res(
        T.bucket,
        "assets",
        { bucket: "acme-assets-a1b2c3d4" },
        { propertyDependencies: { bucket: [suffix.urn] } },
      );
      const prefix = res(T.randomString, "build-prefix", { length: 6, result: "k3j9x0" });
      const object = res(
        "aws:s3/bucketObjectv2:BucketObjectv2",
        "canary",
        { content: "build prefix k3j9x0" },
        { propertyDependencies: { content: [prefix.urn] } },
      );
      const result = await analyzeStack(only(pack("prod"), name), [
        key,
        worker,
        version,
        suffix,
        bucket,
        prefix,
        object,
      ]);
      expect(violations(result, name)).toEqual([]);
    });

    it("fails a generated secret in a plain_text binding, a JSON container definition and a dotenv blob", async () => {
      const key = password({ result: GENERATED });
      const worker = res(
        "cloudflare:index/workersScript:WorkersScript",
        "w",
        { bindings: [{ name: "AUTH", type: "plain_text", text: GENERATED }] },
        { propertyDependencies: { bindings: [key.urn] } },
      );
      const task = res(
        "aws:ecs/taskDefinition:TaskDefinition",
        "api",
        {
          containerDefinitions: JSON.stringify([
            { name: "api", environment: [{ name: "UPSTREAM", value: GENERATED }] },
          ]),
        },
        { propertyDependencies: { containerDefinitions: [key.urn] } },
      );
      const object = res(
        "aws:s3/bucketObjectv2:BucketObjectv2",
        "env",
        { content: `NODE_ENV=production\nUPSTREAM=${GENERATED}` },
        { propertyDependencies: { content: [key.urn] } },
      );
      const text = violations(await analyzeStack(only(pack("prod"), name), [key, worker, task, object]), name)
        .map((d) => d.message)
        .join("\n");
      expect(text).toContain(".bindings[0].text");
      expect(text).toContain(".containerDefinitions[0].environment[0].value");
      expect(text).toContain(".content.line 2");
    });
  });

  it("reads every variable shape: dotenv blobs, Pages {NAME: {type, value}}, bearer headers in JSON, URLs with passwords", async () => {
    const policies = only(pack("prod"), name);
    const cases: [ReturnType<typeof res>, string][] = [
      [
        res("aws:s3/bucketObjectv2:BucketObjectv2", "dotenv", {
          content: "NODE_ENV=production\nREDIS_URL=rediss://default:h7Kp2Wq9Lz4Xv8Rt3Mn6@cache:6380",
        }),
        "a URL with a password",
      ],
      [
        res("cloudflare:index/pagesProject:PagesProject", "site", {
          deploymentConfigs: {
            production: {
              envVars: { SUPABASE_SERVICE_ROLE_KEY: { type: "plain_text", value: SERVICE_ROLE_JWT } },
            },
          },
        }),
        "service_role",
      ],
      [
        res("aws:sfn/stateMachine:StateMachine", "payouts", {
          definition: JSON.stringify({
            States: {
              Pay: {
                Parameters: { Headers: { Authorization: "Bearer sk_live_51NzQ8rLkJh7Gf6Ds5Aa4Pp3Oo2Ii1" } },
              },
            },
          }),
        }),
        "Stripe secret key",
      ],
      [lambda({ PROVIDER_TOKEN: "re_Mx3kP9aQ_7bYtR2wVzL5nHcJ8dF4gK6s" }), "Resend API key"],
    ];
    for (const [resource, kind] of cases) {
      expect(
        violations(await analyzeResource(policies, resource), name)[0]?.message ?? "",
        resource.name,
      ).toContain(kind);
    }
  });

  it("accepts a secret in a SecureString parameter (its own name and value are not a {name, value} pair)", async () => {
    const parameter = res(T.ssmParameter, "openai-key", {
      name: "/worker/prod/openai-key",
      type: "SecureString",
      value: secret("sk-proj-abcdefghijklmnopqrstuvwxyz123456"),
    });
    expect(violations(await analyzeResource(only(pack("prod"), name), parameter), name)).toEqual([]);
    const plain = res(T.ssmParameter, "openai-key", {
      name: "/worker/prod/openai-key",
      type: "String",
      value: "sk-proj-abcdefghijklmnopqrstuvwxyz123456",
    });
    expect(violations(await analyzeResource(only(pack("prod"), name), plain), name)[0]?.message).toContain(
      "OpenAI API key",
    );
  });

  it("accepts pointers named like secrets, and secret_text values", async () => {
    const policies = only(pack("prod"), name);
    const pointers = lambda({
      DB_PASSWORD_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:billing/prod/db-AbCdEf",
      STRIPE_SECRET_KEY_PARAMETER: "/billing/prod/stripe-secret-key",
      JWT_SECRET_NAME: "billing/prod/jwt",
      WEBHOOK_SECRET_HEADER: "stripe-signature",
      TOKEN_ENDPOINT: "https://auth.acme.io/oauth/token",
    });
    expect(violations(await analyzeResource(policies, pointers), name)).toEqual([]);
    const pages = res("cloudflare:index/pagesProject:PagesProject", "site", {
      deploymentConfigs: {
        production: {
          envVars: { SUPABASE_SERVICE_ROLE_KEY: { type: "secret_text", value: SERVICE_ROLE_JWT } },
        },
      },
    });
    expect(violations(await analyzeResource(policies, pages), name)).toEqual([]);
  });
});

describe("sec-01-stack-file-secrets-encrypted", () => {
  const name = "sec-01-stack-file-secrets-encrypted";
  const stack = res(T.stack, "golive-prod");
  const withFiles = (dir: string, env: Env = "prod") =>
    only(pack(env, { extraEnv: { GOLIVE_PROJECT_DIR: path.join(FIXTURES, "stack-files", dir) } }), name);

  it("passes a stack file whose secrets are all secure", async () => {
    expect((await analyzeResource(withFiles("clean"), stack)).diagnostics).toEqual([]);
  });

  it("fails on plain secrets, naming the keys, never the values", async () => {
    const found = violations(await analyzeResource(withFiles("plain"), stack), name);
    const text = found.map((d) => d.message).join("\n");
    expect(text).toContain("cloudflare:apiToken is a secret stored in plain text");
    expect(text).toContain(
      "golive:providedSecrets.STRIPE_SECRET_KEY holds a Stripe secret key in plain text",
    );
    expect(text).toContain("golive:providedSecrets.TWILIO_ACCOUNT_SID is a secret stored in plain text");
    expect(text).toContain("golive:alerts.slackWebhook holds a Slack webhook URL");
    expect(text).not.toContain("sk_live_51");
    expect(found.every((d) => d.enforcementLevel === "mandatory")).toBe(true);
  });

  it("checks the file GOLIVE_STACK_FILE names instead of Pulumi.<stack>.yaml", async () => {
    const policies = only(
      pack("prod", {
        extraEnv: {
          GOLIVE_PROJECT_DIR: path.join(FIXTURES, "stack-files", "clean"),
          GOLIVE_STACK_FILE: path.join(FIXTURES, "stack-files", "plain", "Pulumi.prod.yaml"),
        },
      }),
      name,
    );
    expect(violations(await analyzeResource(policies, stack), name).length).toBeGreaterThan(0);
  });

  it("says so when there is no stack file to check", async () => {
    const result = await analyzeResource(withFiles("missing"), stack);
    expect(violations(result, name)).toEqual([]);
    expect(notices(result, name)[0]!.message).toContain("the stack file cannot be checked");
  });
});

describe("sec-01-no-secret-stack-outputs", () => {
  const name = "sec-01-no-secret-stack-outputs";
  const stack = (outputs: Record<string, unknown>) => res(T.stack, "golive-prod", outputs);

  it("passes ARNs, names and URLs", async () => {
    const ok = stack({
      secretArn: "arn:aws:secretsmanager:x",
      appUrl: "https://app.dirtfree.com",
      anonKey: ANON_JWT,
    });
    expect(violations(await analyzeStack(only(pack("prod"), name), [ok]), name)).toEqual([]);
  });

  it("fails on a service_role key or a secret-named value", async () => {
    const bad = stack({ serviceRoleKey: SERVICE_ROLE_JWT, cronSecret: GENERATED });
    const found = violations(
      await analyzeStack(only(pack("staging"), name), [bad], { stack: "staging" }),
      name,
    );
    expect(found).toHaveLength(2);
    expect(found[0]!.enforcementLevel).toBe("mandatory");
  });

  it("fails an output that equals a generated secret, whatever its name", async () => {
    const password = res(T.randomPassword, "secrets-cron-secret", { length: 64, result: GENERATED });
    const found = violations(
      await analyzeStack(only(pack("prod"), name), [password, stack({ connection: GENERATED })]),
      name,
    );
    expect(found[0]!.message).toContain(
      'holds the secret value of random:index/randomPassword:RandomPassword "secrets-cron-secret"',
    );
    expect(found[0]!.message).not.toContain(GENERATED);
  });

  it("reports secret-named outputs unknown at preview as undeterminable", async () => {
    const result = await analyzeStack(only(pack("prod"), name), [stack({ cronSecret: UNKNOWN })]);
    expect(undeterminable(result, name)).toHaveLength(1);
  });
});

describe("sec-02-generated-secret-strength", () => {
  const name = "sec-02-generated-secret-strength";

  it("passes 32+ characters", async () => {
    const password = res(T.randomPassword, "cron-secret", { length: 64, special: false });
    expect(violations(await analyzeResource(only(pack("prod"), name), password), name)).toEqual([]);
  });

  it("fails below 32 characters, mandatory in staging too", async () => {
    const short = res(T.randomPassword, "db-password", { length: 16 });
    const found = violations(await analyzeResource(only(pack("staging"), name), short), name);
    expect(found[0]!.message).toContain("is 16 length");
    expect(found[0]!.enforcementLevel).toBe("mandatory");
    // A RandomString is a secret by how it is used, whatever it is called.
    const token = res(T.randomString, "endpoint-id", {
      length: 12,
      upper: false,
      special: false,
      result: UNKNOWN,
    });
    const stored = res(
      T.secretVersion,
      "signing",
      { secretString: UNKNOWN },
      { propertyDependencies: { secretString: [token.urn] } },
    );
    const found12 = violations(await analyzeStack(only(pack("prod"), name), [token, stored]), name);
    expect(found12[0]!.message).toContain('"endpoint-id" is 12 length');
    const named = res(T.randomString, "webhook-signing-key", { length: 6 });
    const suffix = res(T.bucket, "b", { bucket: UNKNOWN }, { propertyDependencies: { bucket: [named.urn] } });
    expect(violations(await analyzeStack(only(pack("prod"), name), [named, suffix]), name)).toEqual([]);
  });

  it("fails a password drawn from too few characters", async () => {
    const digits = res(T.randomPassword, "cron-secret", {
      length: 32,
      lower: false,
      upper: false,
      special: false,
    });
    expect(violations(await analyzeResource(only(pack("prod"), name), digits), name)[0]!.message).toContain(
      "draws from too few characters",
    );
    const constant = res(T.randomPassword, "cron-secret", {
      length: 64,
      lower: false,
      upper: false,
      numeric: false,
      overrideSpecial: "!",
    });
    expect(violations(await analyzeResource(only(pack("prod"), name), constant), name)).toHaveLength(1);
  });

  it("fails a short random string stored as a secret whatever its name", async () => {
    const short = res(T.randomString, "cron", { length: 8 });
    const version = res(
      T.secretVersion,
      "app",
      { secretId: "x", secretString: UNKNOWN },
      { propertyDependencies: { secretString: [short.urn] } },
    );
    const found = violations(await analyzeStack(only(pack("prod"), name), [short, version]), name);
    expect(found[0]!.message).toContain('"cron" is 8 length');
    const long = res(T.randomString, "cron", { length: 48 });
    expect(
      violations(
        await analyzeStack(only(pack("prod"), name), [
          long,
          { ...version, propertyDependencies: { secretString: [long.urn] } },
        ]),
        name,
      ),
    ).toEqual([]);
  });

  it("ignores short random strings that are not secrets (name suffixes)", async () => {
    const suffix = res(T.randomString, "bucket-suffix", { length: 6 });
    expect(violations(await analyzeResource(only(pack("prod"), name), suffix), name)).toEqual([]);
  });

  it("fails closed when the length is unknown", async () => {
    const found = violations(
      await analyzeResource(only(pack("prod"), name), res(T.randomPassword, "p", { length: UNKNOWN })),
      name,
    );
    expect(found[0]!.message).toContain("must be known at preview");
  });
});

describe("sec-03-no-server-secrets-in-client-vars", () => {
  const name = "sec-03-no-server-secrets-in-client-vars";

  it("passes the anon key and a publishable key", async () => {
    const ok = lambda({
      NEXT_PUBLIC_SUPABASE_ANON_KEY: ANON_JWT,
      NEXT_PUBLIC_STRIPE_KEY: "pk_live_51AbCdEfGh",
    });
    expect(violations(await analyzeResource(only(pack("prod"), name), ok), name)).toEqual([]);
  });

  it("fails on a service role key behind a public prefix, mandatory in staging too", async () => {
    const bad = lambda({ NEXT_PUBLIC_SUPABASE_KEY: SERVICE_ROLE_JWT });
    const found = violations(await analyzeResource(only(pack("staging"), name), bad), name);
    expect(found[0]!.message).toContain("exposes a Supabase service_role key to the client");
    expect(found[0]!.enforcementLevel).toBe("mandatory");
  });

  it("fails on a public name that says secret, and on edge function secrets pairs", async () => {
    const named = lambda({ VITE_STRIPE_SECRET: "whatever" });
    expect(violations(await analyzeResource(only(pack("prod"), name), named), name)).toHaveLength(1);
    const pairs = res(T.supabaseFunctionSecrets, "fn", {
      projectRef: "x",
      secrets: [{ name: "EXPO_PUBLIC_API", value: secret("sk_live_51AbCdEfGhIjKlMn") }],
    });
    expect(violations(await analyzeResource(only(pack("prod"), name), pairs), name)).toHaveLength(1);
  });

  it("reports a public variable with an unknown value as undeterminable, by its name", async () => {
    const result = await analyzeStack(only(pack("prod"), name), [
      lambda({ NEXT_PUBLIC_SUPABASE_ANON_KEY: UNKNOWN }),
    ]);
    expect(undeterminable(result, name)).toHaveLength(1);
    expect(undeterminable(result, name)[0]!.message).toContain("NEXT_PUBLIC_SUPABASE_ANON_KEY");
  });

  it("reads Pages {NAME: {type, value}} and fails a generated secret in a public variable in preview", async () => {
    const pages = res("cloudflare:index/pagesProject:PagesProject", "site", {
      deploymentConfigs: {
        production: { envVars: { VITE_SUPABASE_KEY: { type: "plain_text", value: SERVICE_ROLE_JWT } } },
      },
    });
    expect(violations(await analyzeResource(only(pack("prod"), name), pages), name)[0]?.message).toContain(
      "VITE_SUPABASE_KEY",
    );
    const key = res(T.randomPassword, "k", { length: 40, result: UNKNOWN });
    const fn = {
      ...lambda({ NEXT_PUBLIC_TOKEN: UNKNOWN }),
      propertyDependencies: { environment: [key.urn] },
    };
    expect(violations(await analyzeStack(only(pack("prod"), name), [key, fn]), name)[0]?.message).toContain(
      "exposes the generated secret",
    );
  });
});

describe("sec-04-secrets-customer-managed-key", () => {
  const name = "sec-04-secrets-customer-managed-key";

  it("passes a secret with the stack's key (unknown at preview counts as set)", async () => {
    const ok = res(T.secret, "app", { kmsKeyId: UNKNOWN, recoveryWindowInDays: 30 });
    expect((await analyzeResource(only(pack("prod"), name), ok)).diagnostics).toEqual([]);
  });

  it("fails without a key or with the AWS-managed one: mandatory in prod, advisory in staging", async () => {
    const none = res(T.secret, "app", {});
    expect(violations(await analyzeResource(only(pack("prod"), name), none), name)[0]!.enforcementLevel).toBe(
      "mandatory",
    );
    const managed = res(T.secret, "app", { kmsKeyId: "alias/aws/secretsmanager" });
    const staging = violations(await analyzeResource(only(pack("staging"), name), managed), name);
    expect(staging[0]!.message).toContain("AWS-managed key");
    expect(staging[0]!.enforcementLevel).toBe("advisory");
  });

  it("fails on a resource policy open to everyone", async () => {
    const open = res(T.secret, "app", {
      kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/x",
      policy: JSON.stringify({
        Statement: [{ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue" }],
      }),
    });
    expect(violations(await analyzeResource(only(pack("prod"), name), open), name)[0]!.message).toContain(
      "anyone",
    );
  });
});

describe("sec-04-secrets-customer-managed-key: SSM parameters", () => {
  const name = "sec-04-secrets-customer-managed-key";

  it("fails a SecureString parameter on the AWS-managed key, passes one with the stack's key", async () => {
    const bare = res(T.ssmParameter, "raw-param", { type: "SecureString", value: UNKNOWN });
    expect(violations(await analyzeResource(only(pack("prod"), name), bare), name)[0]!.message).toContain(
      "alias/aws/ssm",
    );
    const managed = res(T.ssmParameter, "raw-param", { type: "SecureString", keyId: "alias/aws/ssm" });
    expect(violations(await analyzeResource(only(pack("prod"), name), managed), name)).toHaveLength(1);
    const own = res(T.ssmParameter, "raw-param", { type: "SecureString", keyId: UNKNOWN });
    expect(violations(await analyzeResource(only(pack("prod"), name), own), name)).toEqual([]);
  });
});

describe("sec-04-kms-key-rotation", () => {
  const name = "sec-04-kms-key-rotation";

  it("passes a rotating key and skips asymmetric keys", async () => {
    const policies = only(pack("prod"), name);
    expect(
      violations(await analyzeResource(policies, res(T.kmsKey, "k", { enableKeyRotation: true })), name),
    ).toEqual([]);
    const signing = res(T.kmsKey, "sign", { customerMasterKeySpec: "RSA_2048" });
    expect(violations(await analyzeResource(policies, signing), name)).toEqual([]);
  });

  it("fails a key that does not rotate", async () => {
    const found = violations(await analyzeResource(only(pack("prod"), name), res(T.kmsKey, "k", {})), name);
    expect(found[0]!.message).toContain("does not rotate");
  });

  it("reports an unknown rotation flag as undeterminable", async () => {
    const result = await analyzeResource(
      only(pack("prod"), name),
      res(T.kmsKey, "k", { enableKeyRotation: UNKNOWN }),
    );
    expect(undeterminable(result, name)).toHaveLength(1);
  });
});

describe("sec-05-secret-rotation", () => {
  const name = "sec-05-secret-rotation";
  const rotation = res(T.rotating, "secrets-rotation", { rotationDays: 90 });
  const password = (keepers: boolean) =>
    res(
      T.randomPassword,
      "cron-secret",
      { length: 64, ...(keepers ? { keepers: { rotatedAt: UNKNOWN } } : {}) },
      {
        propertyDependencies: keepers ? { keepers: [rotation.urn] } : {},
      },
    );

  it("passes passwords keyed to a 90-day rotation", async () => {
    const policies = only(pack("prod"), name);
    expect(violations(await analyzeResource(policies, rotation), name)).toEqual([]);
    expect(violations(await analyzeStack(policies, [rotation, password(true)]), name)).toEqual([]);
  });

  it("fails on a longer period or a password that never rotates", async () => {
    const policies = only(pack("prod"), name);
    const yearly = res(T.rotating, "r", { rotationYears: 1 });
    expect(violations(await analyzeResource(policies, yearly), name)[0]!.message).toContain(
      "rotates every 366 days",
    );
    const found = violations(await analyzeStack(policies, [rotation, password(false)]), name);
    expect(found[0]!.message).toContain('"cron-secret" is not keyed to a time.Rotating');
  });

  it("fails a period hidden behind a shorter one, a fixed rotation time, and a random string that never rotates", async () => {
    const policies = only(pack("prod"), name);
    const mixed = res(T.rotating, "r", { rotationDays: 30, rotationYears: 5 });
    expect(violations(await analyzeResource(policies, mixed), name)[0]!.message).toContain(
      "rotates every 1830 days",
    );
    const fixed = res(T.rotating, "r", { rotationDays: 30, rotationRfc3339: "2030-01-01T00:00:00Z" });
    expect(violations(await analyzeResource(policies, fixed), name)[0]!.message).toContain("rotationRfc3339");
    const token = res(T.randomString, "webhook-token", { length: 48, result: UNKNOWN });
    const user = res(
      T.lambda,
      "hook",
      { environment: { variables: { HOOK: UNKNOWN } } },
      {
        propertyDependencies: { environment: [token.urn] },
      },
    );
    expect(violations(await analyzeStack(policies, [rotation, token, user]), name)[0]!.message).toContain(
      '"webhook-token" is not keyed to a time.Rotating',
    );
  });

  it("exempts the database password and does not apply to staging", async () => {
    const dbPassword = res(T.randomPassword, "db-password", { length: 48 });
    const project = res(
      T.supabaseProject,
      "db",
      { databasePassword: UNKNOWN },
      {
        propertyDependencies: { databasePassword: [dbPassword.urn] },
      },
    );
    expect(violations(await analyzeStack(only(pack("prod"), name), [dbPassword, project]), name)).toEqual([]);
    expect(isNotApplicable(await analyzeResource(only(pack("staging"), name), rotation), name)).toBe(true);
  });

  it("reports an unknown period as undeterminable", async () => {
    const result = await analyzeResource(
      only(pack("prod"), name),
      res(T.rotating, "r", { rotationDays: UNKNOWN }),
    );
    expect(undeterminable(result, name)).toHaveLength(1);
  });
});

describe("sec-06-edge-function-jwt", () => {
  const name = "sec-06-edge-function-jwt";
  const stack = res(T.stack, "golive-prod");
  const withFunctions = (env: Env = "prod") =>
    only(
      pack(env, {
        config: { database: { migrationsDir: "supabase/migrations" } },
        extraEnv: { GOLIVE_PROJECT_DIR: path.join(FIXTURES, "functions") },
      }),
      name,
    );

  it("reads verify_jwt = false from supabase/config.toml", () => {
    expect(
      unverifiedFunctionsInToml('[functions.a]\nverify_jwt = false\n[functions."b"]\nverify_jwt=true\n'),
    ).toEqual(["a"]);
  });

  it("passes when the public functions are declared with reasons", async () => {
    const config = {
      [name]: {
        publicFunctions: {
          "stripe-webhook": "Stripe calls it; the function verifies the Stripe signature",
          "twilio-status": "Twilio status callbacks, checked with the Twilio request signature",
        },
      },
    };
    expect(violations(await analyzeResource(withFunctions(), stack, { config }), name)).toEqual([]);
  });

  it("fails for undeclared or badly reasoned public functions (advisory in staging)", async () => {
    const config = { [name]: { publicFunctions: { "stripe-webhook": "webhook" } } };
    const prod = violations(await analyzeResource(withFunctions(), stack, { config }), name);
    const text = prod.map((d) => d.message).join("\n");
    expect(text).toContain('"stripe-webhook" is declared public with too short a reason');
    expect(text).toContain('"twilio-status" skips JWT verification');
    const staging = violations(await analyzeResource(withFunctions("staging"), res(T.stack, "s")), name);
    expect(staging.every((d) => d.enforcementLevel === "advisory")).toBe(true);
  });

  it("checks a Management API call that turns verification off, and reports an unknown body", async () => {
    const call = res(MANAGEMENT_SETTING_TYPE, "fn-hook", {
      path: "/functions/hook",
      body: JSON.stringify({ verify_jwt: false }),
    });
    expect(violations(await analyzeResource(only(pack("prod"), name), call), name)).toHaveLength(1);
    const unknown = res(MANAGEMENT_SETTING_TYPE, "fn-hook", { path: "/functions/hook", body: UNKNOWN });
    expect(undeterminable(await analyzeResource(only(pack("prod"), name), unknown), name)).toHaveLength(1);
  });
});

describe("sec-07-no-shared-secrets", () => {
  const name = "sec-07-no-shared-secrets";
  const version = (values: Record<string, string> | string) =>
    res(T.secretVersion, "app", {
      secretId: "x",
      secretString: typeof values === "string" ? values : JSON.stringify(values),
    });

  it("passes secrets of this environment", async () => {
    const ok = version({
      DATABASE_URL: "postgresql://postgres.ref:pw@aws-0-us-east-1.pooler.supabase.com:6543/postgres",
    });
    expect(violations(await analyzeResource(only(pack("prod"), name), ok), name)).toEqual([]);
  });

  it("fails when a prod secret points at staging (advisory in staging for prod)", async () => {
    const bad = version({
      APP_URL: "https://staging.dirtfree.com",
      QUEUE: `arn:aws:sqs:us-east-1:${ACCOUNTS.staging}:q`,
    });
    const found = violations(await analyzeResource(only(pack("prod"), name), bad), name);
    expect(found).toHaveLength(2);
    const other = version({ APP_URL: "https://prod-api.dirtfree.com" });
    const staging = violations(await analyzeResource(only(pack("staging"), name), other), name);
    expect(staging[0]!.enforcementLevel).toBe("advisory");
  });

  it("reports a secret unknown at preview as undeterminable by its path, unless it comes from this stack's resources", async () => {
    const found = undeterminable(await analyzeStack(only(pack("prod"), name), [version(UNKNOWN)]), name);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain(".secretString");
    const queue = res(T.queue, "jobs", { url: UNKNOWN });
    const fn = res(
      T.lambda,
      "worker",
      { environment: { variables: { QUEUE_URL: UNKNOWN } } },
      {
        propertyDependencies: { environment: [queue.urn] },
      },
    );
    expect(undeterminable(await analyzeStack(only(pack("prod"), name), [queue, fn]), name)).toEqual([]);
  });
  it("leaves a credential composed at apply with a generated secret undeterminable (its literals are not sent)", async () => {
    // `jsonStringify({host: "db.staging…", password: password.result})` at a first preview: one
    // unknown that depends on the password, whether or not the host names the other environment.
    const password = res(T.randomPassword, "db", { length: 40, result: UNKNOWN });
    const credential = res(
      T.secretVersion,
      "db",
      { secretId: "x", secretString: UNKNOWN },
      { propertyDependencies: { secretString: [password.urn] } },
    );
    const found = undeterminable(await analyzeStack(only(pack("prod"), name), [password, credential]), name);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain(".secretString");
    expect(found[0]!.message).toContain(
      'generated secret of random:index/randomPassword:RandomPassword "db"',
    );
  });
});
