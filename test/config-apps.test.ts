// Bad config for what the apps need to run: each is refused before any resource exists, with the
// key, what is wrong and how to fix it.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { missingFunctionFiles } from "../components/edge-functions";
import { parseStackConfig, type RawConfig } from "../config/load";
import { resolveEdgeFunctions } from "../config/schema/functions";
import { hostingVariables } from "../lib/hosting";
import { readStackFile, withPlaceholderSecrets } from "../tooling/stack-files";
import { problemsOf } from "./support/config-problems";
import { editKey, REPO_ROOT, stackConfig } from "./support/stacks";

function message(raw: RawConfig): string {
  try {
    parseStackConfig(raw);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the config to be rejected");
}

const budgetzen = (stack: "staging" | "prod") =>
  withPlaceholderSecrets(
    readStackFile(path.join(REPO_ROOT, "examples/budgetzen-notifications", `Pulumi.${stack}.yaml`), stack),
  ).config;

describe("golive:edgeFunctions", () => {
  it("resolves each function's entry point under the source folder; public ones carry their reason", () => {
    const config = parseStackConfig(budgetzen("prod"));
    const functions = resolveEdgeFunctions(config.edgeFunctions);
    expect(functions.map((fn) => [fn.slug, fn.verifyJwt])).toEqual([
      ["send-notification", true],
      ["process-queue", false],
      ["schedule-daily-jobs", false],
      ["schedule-weekly-jobs", false],
    ]);
    expect(functions[0]!.entrypoint).toBe(
      "examples/budgetzen-notifications/supabase/functions/send-notification/index.ts",
    );
    expect(missingFunctionFiles(functions, REPO_ROOT)).toEqual([]);
  });

  it("refuses a public function without a reason", () => {
    const raw = editKey(budgetzen("prod"), "golive:edgeFunctions", (value) => {
      (value.public as Record<string, string>)["process-queue"] = "";
    });
    expect(problemsOf(raw)).toContainEqual(
      expect.objectContaining({
        key: "golive:edgeFunctions.public.process-queue",
        message: expect.stringContaining("needs a reason of at least 10 characters") as unknown,
      }),
    );
    expect(message(raw)).toMatch(/nothing was deployed/);
  });

  it("refuses a public function that is not deployed, a duplicate and a bad slug", () => {
    const raw = editKey(budgetzen("prod"), "golive:edgeFunctions", (value) => {
      (value.public as Record<string, string>)["stripe-webhook"] = "Stripe calls it with a signed payload";
      (value.functions as unknown[]).push("process-queue", "../etc");
    });
    const problems = problemsOf(raw);
    const keys = problems.map((problem) => problem.key);
    expect(keys).toContain("golive:edgeFunctions.functions[5]");
  });

  it("reports a function whose entry point is missing, by key, with the path", () => {
    const functions = resolveEdgeFunctions({
      sourceDir: "examples/budgetzen-notifications/supabase/functions",
      functions: ["process-queue", { slug: "stripe-webhook", entrypoint: "main.ts" }],
      public: {},
    });
    expect(missingFunctionFiles(functions, REPO_ROOT)).toEqual([
      {
        key: "golive:edgeFunctions.functions[1]",
        message:
          'the entry point of "stripe-webhook", examples/budgetzen-notifications/supabase/functions/stripe-webhook/main.ts, does not exist (paths are relative to the Pulumi project root)',
        fix: expect.any(String) as unknown,
      },
    ]);
  });

  it("names the duplicate and the undeployed public function", () => {
    const raw = editKey(budgetzen("prod"), "golive:edgeFunctions", (value) => {
      (value.public as Record<string, string>)["stripe-webhook"] = "Stripe calls it with a signed payload";
      (value.functions as unknown[]).push("process-queue");
    });
    const problems = problemsOf(raw);
    expect(problems).toContainEqual(
      expect.objectContaining({
        key: "golive:edgeFunctions.functions[4]",
        message: 'function "process-queue" is listed twice; each slug is deployed once',
      }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        key: "golive:edgeFunctions.public.stripe-webhook",
        message: expect.stringContaining("is not in golive:edgeFunctions.functions") as unknown,
      }),
    );
  });
});

describe("golive:database.apiKeys", () => {
  it("refuses a key name the provider would reject (a hyphen, capitals)", () => {
    for (const name of ["golive-server", "Server", "1server"]) {
      const raw = editKey(stackConfig("prod"), "golive:database", (value) => {
        value.apiKeys = { secretKeyName: name };
      });
      expect(problemsOf(raw)).toContainEqual(
        expect.objectContaining({
          key: "golive:database.apiKeys.secretKeyName",
          message: "must match ^[a-z_][a-z0-9_]*$ (lowercase letters, digits, '_'; no '-')",
        }),
      );
    }
  });

  it("refuses the legacy anon key as a public source while legacy keys are off, and allows it when on", () => {
    const raw = editKey(stackConfig("prod"), "golive:secrets", (value) => {
      (value.public as Record<string, unknown>).NEXT_PUBLIC_SUPABASE_ANON_KEY = { from: "supabaseAnonKey" };
    });
    expect(problemsOf(raw)).toContainEqual(
      expect.objectContaining({
        key: "golive:secrets.public.NEXT_PUBLIC_SUPABASE_ANON_KEY.from",
        fix: "pulumi config set --path 'golive:secrets.public.NEXT_PUBLIC_SUPABASE_ANON_KEY.from' supabasePublishableKey",
      }),
    );
    const legacy = editKey(raw, "golive:database", (value) => {
      value.apiKeys = { legacy: true };
    });
    expect(parseStackConfig(legacy).database.apiKeys).toEqual({ secretKeyName: "server", legacy: true });
  });
});

describe("golive:database.auth", () => {
  it("accepts https pages and app deep links, and refuses other schemes and wildcards", () => {
    const withRedirects = (urls: string[]) =>
      editKey(stackConfig("prod"), "golive:database", (value) => {
        (value.auth as Record<string, unknown>).redirectUrls = urls;
      });
    const accepted = parseStackConfig(
      withRedirects(["https://app.dirtfree.com/auth/callback", "io.supabase.dirtfree://login-callback"]),
    );
    expect(accepted.database.auth.redirectUrls).toContain("io.supabase.dirtfree://login-callback");
    for (const bad of [
      "http://app.dirtfree.com/auth/callback",
      "javascript://alert(1)",
      "io.supabase.dirtfree://*",
      "login-callback",
    ]) {
      const problems = problemsOf(withRedirects([bad]));
      expect(problems.map((problem) => problem.key)).toContain("golive:database.auth.redirectUrls[0]");
    }
  });

  it("refuses SMTP whose password is not a provided secret", () => {
    const raw = editKey(stackConfig("prod"), "golive:database", (value) => {
      ((value.auth as Record<string, unknown>).smtp as Record<string, unknown>).passwordSecret =
        "SMTP_PASSWORD";
    });
    expect(problemsOf(raw)).toContainEqual(
      expect.objectContaining({
        key: "golive:database.auth.smtp.passwordSecret",
        message:
          "SMTP_PASSWORD must be a provided secret (golive:secrets.provided) holding the SMTP password",
      }),
    );
  });
});

describe("golive:hosting", () => {
  it("refuses a Vercel host without its token, naming the command that sets it", () => {
    const raw = stackConfig("prod");
    const values = { ...raw.values };
    delete values["vercel:apiToken"];
    const saved = process.env.VERCEL_API_TOKEN;
    delete process.env.VERCEL_API_TOKEN;
    try {
      expect(problemsOf({ ...raw, values })).toContainEqual({
        key: "vercel:apiToken",
        message:
          "the Vercel host needs an API token: set vercel:apiToken as a secret in the stack, or export VERCEL_API_TOKEN for the deploy",
        fix: "pulumi config set --secret vercel:apiToken <token>",
      });
      process.env.VERCEL_API_TOKEN = "token-from-the-environment";
      expect(parseStackConfig({ ...raw, values }).hosting.provider).toBe("vercel");
    } finally {
      if (saved === undefined) delete process.env.VERCEL_API_TOKEN;
      else process.env.VERCEL_API_TOKEN = saved;
    }
  });

  it("refuses a token stored in plain text", () => {
    const raw = stackConfig("prod");
    const secretKeys = new Set(raw.secretKeys);
    secretKeys.delete("vercel:apiToken");
    expect(problemsOf({ ...raw, secretKeys })).toContainEqual(
      expect.objectContaining({
        key: "vercel:apiToken",
        message: "is stored in plain text in the stack file (SEC-01)",
      }),
    );
  });

  it("refuses unknown server secrets, a preview without its branch, and a vercel provider without a project", () => {
    const unknown = editKey(stackConfig("prod"), "golive:hosting", (value) => {
      (value.vercel as Record<string, unknown>).serverSecrets = ["SUPABASE_SERVICE_ROLE_KEY"];
    });
    expect(problemsOf(unknown).map((problem) => problem.key)).toEqual([
      "golive:hosting.vercel.serverSecrets[0]",
    ]);
    const noBranch = editKey(stackConfig("staging"), "golive:hosting", (value) => {
      delete (value.vercel as Record<string, unknown>).gitBranch;
    });
    expect(problemsOf(noBranch).map((problem) => problem.key)).toEqual(["golive:hosting.vercel.gitBranch"]);
    const noProject = editKey(stackConfig("prod"), "golive:hosting", (value) => {
      delete value.vercel;
    });
    expect(problemsOf(noProject)).toContainEqual(
      expect.objectContaining({
        key: "golive:hosting.vercel",
        fix: "pulumi config set --path 'golive:hosting.vercel.projectName' my-app",
      }),
    );
  });

  it("writes server secrets sensitive and client variables plain, never a secret under a client name", () => {
    expect(hostingVariables(["STRIPE_SECRET_KEY"], ["NEXT_PUBLIC_APP_URL"])).toEqual([
      { key: "NEXT_PUBLIC_APP_URL", sensitive: false },
      { key: "STRIPE_SECRET_KEY", sensitive: true },
    ]);
    expect(() => hostingVariables(["NEXT_PUBLIC_STRIPE_SECRET"], [])).toThrow(/SEC-03/);
  });
});
