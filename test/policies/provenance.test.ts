/**
 * Preview decided by dependencies (policies/lib/provenance): an unknown value is traced through the
 * `propertyDependencies` the engine sends to generated values and provider-computed attributes;
 * only what no dependency decides is undeterminable, named by the value that is unknown. And the
 * checks that use it: ENV-02 (keys of the wrong mode), CRON-02 (a secret in a schedule's input),
 * the variable paths and schema ARN inputs of the shared classifier's reader.
 */
import type { PolicyResource } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { UnknownSources } from "../../policies/lib/provenance";
import { isArnProperty, isUnderVariablePath, variableEntries } from "../../policies/lib/secret-classifier";
import { formatPath, UNKNOWN_STRING } from "../../policies/lib/unknowns";
import { isPointerOutputName } from "../../policies/sec";
import { only, pack, res } from "./fixtures";
import { analyzeResource, analyzeStack, undeterminable, violations, type TestResource } from "./harness";

const PASSWORD = "random:index/randomPassword:RandomPassword";
const FUNCTION = "aws:lambda/function:Function";
const SCHEDULE = "aws:scheduler/schedule:Schedule";
const SECRET = "aws:secretsmanager/secret:Secret";
const TABLE = "aws:dynamodb/table:Table";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";

const OPTIONS: PolicyResource["opts"] = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

/** Policy resources as the server builds them (raw values, dependencies resolved to resources). */
function stackOf(
  specs: readonly {
    type: string;
    name: string;
    props?: Record<string, unknown>;
    deps?: Record<string, string[]>;
  }[],
): PolicyResource[] {
  const built = specs.map((spec): PolicyResource => ({
    type: spec.type,
    name: spec.name,
    urn: `urn:pulumi:prod::p::${spec.type}::${spec.name}`,
    props: spec.props ?? {},
    opts: OPTIONS,
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  }));
  const byName = new Map(built.map((resource) => [resource.name, resource]));
  specs.forEach((spec, index) => {
    for (const [property, names] of Object.entries(spec.deps ?? {})) {
      built[index]!.propertyDependencies[property] = names.map((name) => byName.get(name)!);
    }
  });
  return built;
}

describe("UnknownSources: what a value unknown at preview can be made of", () => {
  const stack = stackOf([
    { type: PASSWORD, name: "pw", props: { length: 40, result: UNKNOWN_STRING } },
    { type: SECRET, name: "secret", props: { name: "app/prod", arn: UNKNOWN_STRING } },
    {
      type: "aws:secretsmanager/secretVersion:SecretVersion",
      name: "version-from-nothing",
      props: { secretString: UNKNOWN_STRING },
    },
    {
      type: FUNCTION,
      name: "fn",
      props: { environment: { variables: { PASSWORD_ARN: UNKNOWN_STRING, PW: UNKNOWN_STRING } } },
      deps: { environment: ["secret", "pw"] },
    },
    {
      type: FUNCTION,
      name: "reads-a-function-result",
      props: { environment: { variables: { KEY: UNKNOWN_STRING } } },
    },
    {
      type: FUNCTION,
      name: "passes-on-an-untraced-value",
      props: { environment: { variables: { V: UNKNOWN_STRING } } },
      deps: { environment: ["version-from-nothing"] },
    },
    {
      type: FUNCTION,
      name: "passes-on-a-traced-value",
      props: { environment: { variables: { V: UNKNOWN_STRING } } },
      deps: { environment: ["fn"] },
    },
  ]);
  const sources = new UnknownSources(stack);
  const named = (name: string) => stack.find((resource) => resource.name === name)!;

  it("decides values made of generated values and provider-computed attributes (an ARN)", () => {
    expect(sources.property(named("fn"), "environment")).toEqual({ decided: true });
  });

  it("does not decide a value with no dependency (a function result the engine cannot trace)", () => {
    const trace = sources.property(named("reads-a-function-result"), "environment");
    expect(trace.decided).toBe(false);
  });

  it("traces a dependency's own unknown values in turn", () => {
    expect(sources.property(named("passes-on-a-traced-value"), "environment")).toEqual({ decided: true });
    const open = sources.property(named("passes-on-an-untraced-value"), "environment");
    expect(open.decided).toBe(false);
    if (!open.decided)
      expect(open.reason).toContain(
        '.secretString of aws:secretsmanager/secretVersion:SecretVersion "version-from-nothing"',
      );
  });

  it("does not decide a dependency outside the stack", () => {
    const [lonely] = stackOf([
      {
        type: FUNCTION,
        name: "lonely",
        props: { environment: { variables: { V: UNKNOWN_STRING } } },
      },
    ]);
    lonely!.propertyDependencies.environment = [{ ...named("secret"), urn: "urn:pulumi:other::x::y::z" }];
    expect(new UnknownSources([lonely!]).property(lonely!, "environment").decided).toBe(false);
  });
});

describe("the classifier's reader: variable paths and schema ARN inputs", () => {
  it("takes a catalogue path for what it says, not its whole root property", () => {
    expect(isUnderVariablePath(SCHEDULE, ["target", "input"])).toBe(true);
    expect(isUnderVariablePath(SCHEDULE, ["target", "arn"])).toBe(false);
    expect(isUnderVariablePath(FUNCTION, ["environment", "variables", "KEY"])).toBe(true);
    expect(
      isUnderVariablePath("aws:ecs/taskDefinition:TaskDefinition", [
        "containerDefinitions",
        0,
        "environment",
      ]),
    ).toBe(true);
  });

  it("reads ARN inputs of the schema as pointers", () => {
    expect(["arn", "roleArn", "topicArns"].every(isArnProperty)).toBe(true);
    expect(["input", "arnSuffix", "Arn"].some(isArnProperty)).toBe(false);
    const entries = variableEntries({
      type: SCHEDULE,
      props: {
        target: {
          arn: UNKNOWN_STRING,
          roleArn: UNKNOWN_STRING,
          input: UNKNOWN_STRING,
          deadLetterConfig: { arn: UNKNOWN_STRING },
        },
      },
      opts: OPTIONS,
    });
    const byPath = new Map(entries.map((entry) => [formatPath(entry.path), entry]));
    expect(byPath.get(".target.input")).toMatchObject({ variable: true, pointer: false });
    for (const path of [".target.arn", ".target.roleArn", ".target.deadLetterConfig.arn"]) {
      expect(byPath.get(path)).toMatchObject({ variable: false, pointer: true });
    }
  });
});

/** The cron shape of the red-team corpus, as a preview sends it. */
function cronStack(input: unknown, inputDeps: string[]): TestResource[] {
  const urn = (type: string, name: string) => `urn:pulumi:prod::golive::${type}::${name}`;
  return [
    res(
      PASSWORD,
      "cron-secret",
      { length: 48, special: false, result: UNKNOWN_STRING, bcryptHash: UNKNOWN_STRING },
      {
        opts: { additionalSecretOutputs: ["bcryptHash", "result"] },
      },
    ),
    res(SECRET, "cron-secret-store", { name: "jobs/prod/cron", arn: UNKNOWN_STRING }),
    res(TABLE, "orders", { name: UNKNOWN_STRING, arn: UNKNOWN_STRING }),
    res(
      FUNCTION,
      "invoice-run",
      {
        name: "invoice-run-prod",
        arn: UNKNOWN_STRING,
        environment: { variables: { CRON_SECRET_ARN: UNKNOWN_STRING, ORDERS_TABLE: UNKNOWN_STRING } },
      },
      { propertyDependencies: { environment: [urn(SECRET, "cron-secret-store"), urn(TABLE, "orders")] } },
    ),
    res("aws:sqs/queue:Queue", "dlq", { arn: UNKNOWN_STRING }),
    res(
      SUBSCRIPTION,
      "to-queue",
      { protocol: "sqs", endpoint: UNKNOWN_STRING, topic: UNKNOWN_STRING },
      { propertyDependencies: { endpoint: [urn("aws:sqs/queue:Queue", "dlq")] } },
    ),
    res(
      SCHEDULE,
      "invoice-run",
      {
        name: "invoice-run-prod",
        scheduleExpression: "cron(0 3 * * ? *)",
        scheduleExpressionTimezone: "Europe/Berlin",
        target: {
          arn: UNKNOWN_STRING,
          roleArn: UNKNOWN_STRING,
          input,
          deadLetterConfig: { arn: UNKNOWN_STRING },
        },
      },
      {
        propertyDependencies: {
          target: [urn(FUNCTION, "invoice-run"), urn("aws:sqs/queue:Queue", "dlq"), ...inputDeps],
        },
      },
    ),
  ];
}

describe("ENV-02 at preview: decided by dependencies, undeterminable only where nothing decides", () => {
  const name = "env-02-third-party-key-mode";
  const passwordUrn = `urn:pulumi:prod::golive::${PASSWORD}::cron-secret`;

  it("says nothing of generated values, ARNs, table names, a queue endpoint or a payload built from them", async () => {
    const result = await analyzeStack(only(pack("prod"), name), cronStack(UNKNOWN_STRING, [passwordUrn]));
    expect(undeterminable(result, name)).toEqual([]);
    expect(violations(result, name)).toEqual([]);
  });

  it("names the value itself when nothing decides it (no dependency: a function result)", async () => {
    const stack = [
      res(FUNCTION, "reader", { environment: { variables: { STRIPE_KEY: UNKNOWN_STRING, MODE: "fast" } } }),
    ];
    const notices = undeterminable(await analyzeStack(only(pack("prod"), name), stack), name);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toContain(
      '.environment.variables.STRIPE_KEY of aws:lambda/function:Function "reader"',
    );
    expect(notices[0]!.message).not.toContain("MODE");
  });

  it("takes a provider's own secret output (a Supabase API key) for generated, and what passes it on", async () => {
    const keyUrn = "urn:pulumi:prod::golive::supabase:index/apikey:Apikey::server-key";
    const stack = [
      res(
        "supabase:index/apikey:Apikey",
        "server-key",
        { name: "server", apiKey: UNKNOWN_STRING },
        {
          opts: { additionalSecretOutputs: ["apiKey"] },
        },
      ),
      res(
        FUNCTION,
        "api",
        { environment: { variables: { SUPABASE_SECRET_KEY: UNKNOWN_STRING } } },
        {
          propertyDependencies: { environment: [keyUrn] },
        },
      ),
    ];
    expect(undeterminable(await analyzeStack(only(pack("prod"), name), stack), name)).toEqual([]);
  });

  it("keeps a notice when the stack config holds a key of the wrong mode that a computed value may embed", async () => {
    const policies = only(
      pack("prod", { config: { "billing:stripeKey": "sk_test_51AbCdEfGhIjKlMnOp" } }),
      name,
    );
    const notices = undeterminable(
      await analyzeStack(policies, cronStack(UNKNOWN_STRING, [passwordUrn])),
      name,
    );
    expect(notices.length).toBeGreaterThan(0);
    expect(notices[0]!.message).toContain("billing:stripeKey");
  });

  it("defers offline placeholders with the plan's wording instead of passing them, once per check", async () => {
    const stack = [
      res("aws:secretsmanager/secretVersion:SecretVersion", "app", {
        secretString: JSON.stringify({
          STRIPE_SECRET_KEY: "sk_live_golive-placeholder:STRIPE_SECRET_KEY",
          RESEND_API_KEY: "golive-placeholder:RESEND_API_KEY",
        }),
      }),
      res(FUNCTION, "api", {
        environment: { variables: { STRIPE_SECRET_KEY: "sk_live_golive-placeholder:STRIPE_SECRET_KEY" } },
      }),
      res(SUBSCRIPTION, "pager", {
        protocol: "https",
        endpoint: "https://golive-placeholder.invalid/PAGERDUTY_URL",
      }),
      // A provider's own credential of a vendor without key modes is not ENV-02's question.
      res("pulumi:providers:cloudflare", "cf", { apiToken: "golive-placeholder:cloudflare:apiToken" }),
    ];
    const policies = only(pack("prod"), name);
    const result = await analyzeStack(policies, stack);
    expect(violations(result, name)).toEqual([]);
    expect(undeterminable(result, name).map((notice) => notice.message.replace(/^[^\n]*\n/, ""))).toEqual([
      "[ENV-02] undeterminable: prod needs a live-mode Stripe key: STRIPE_SECRET_KEY is an offline placeholder (encrypted or not set); the deploy-time run checks the real values",
      "[ENV-02] undeterminable: no test-mode key in prod: PAGERDUTY_URL, RESEND_API_KEY are offline placeholders (encrypted or not set); the deploy-time run checks the real values",
    ]);
    // The per-resource check neither passes nor fails a placeholder: it has no value to judge.
    const single = await analyzeResource(policies, stack[1]!);
    expect(single.diagnostics.filter((d) => d.policyName === name)).toEqual([]);
  });
});

describe("CRON-02 through the shared classifier", () => {
  const name = "cron-02-authenticated-invocation";
  const passwordUrn = `urn:pulumi:prod::golive::${PASSWORD}::cron-secret`;

  it("at preview: a payload that depends on a generated secret carries it (the verdict of up)", async () => {
    const result = await analyzeStack(only(pack("prod"), name), cronStack(UNKNOWN_STRING, [passwordUrn]));
    const found = violations(result, name);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain('RandomPassword "cron-secret"');
    expect(found[0]!.message).toContain(".target.input");
    expect(undeterminable(result, name)).toEqual([]);
  });

  it("at preview: a payload made of ARNs only is decided and passes", async () => {
    const result = await analyzeStack(only(pack("prod"), name), cronStack(UNKNOWN_STRING, []));
    expect(violations(result, name)).toEqual([]);
    expect(undeterminable(result, name)).toEqual([]);
  });

  it("at up: a bearer credential in the payload, by value, before the schedule is created", async () => {
    const [schedule] = cronStack(
      JSON.stringify({ headers: { authorization: "Bearer 9fQk2LmZx7Rt4WvB8nHc3JpY6sDa1EgU" } }),
      [],
    ).filter((resource) => resource.type === SCHEDULE);
    const found = violations(await analyzeResource(only(pack("prod"), name), schedule!), name);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain(".target.input.headers.authorization");
    expect(found[0]!.message).not.toContain("9fQk2");
  });
});

describe("SEC-01 stack outputs at preview (no dependencies on the wire)", () => {
  const name = "sec-01-no-secret-stack-outputs";
  const stackWith = (outputs: Record<string, unknown>): TestResource[] => [
    res(PASSWORD, "grafana-admin", { length: 32, result: UNKNOWN_STRING }),
    res("pulumi:pulumi:Stack", "grafana-prod", outputs),
  ];

  it("names an unknown output of a stack that generates secrets, unless it is named as a pointer", async () => {
    const result = await analyzeStack(
      only(pack("prod"), name),
      stackWith({ grafanaLogin: UNKNOWN_STRING, secretArn: UNKNOWN_STRING, functionName: UNKNOWN_STRING }),
    );
    const notices = undeterminable(result, name);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toContain("stack output grafanaLogin");
    expect(violations(result, name)).toEqual([]);
  });

  it("says nothing of unknown outputs when the stack generates no secret", async () => {
    const result = await analyzeStack(only(pack("prod"), name), [
      res("pulumi:pulumi:Stack", "grafana-prod", { grafanaLogin: UNKNOWN_STRING }),
    ]);
    expect(undeterminable(result, name)).toEqual([]);
  });

  it("reads pointer names by their last word", () => {
    for (const pointer of ["secretArn", "functionName", "bucketNames", "projectRef", "endpoint", "apiUrl"]) {
      expect(isPointerOutputName(pointer)).toBe(true);
    }
    for (const value of ["grafanaLogin", "adminPassword", "apiKey", "token"]) {
      expect(isPointerOutputName(value)).toBe(false);
    }
  });
});
