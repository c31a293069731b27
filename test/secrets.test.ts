import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../config/load";
import {
  edgeFunctionSecretNames,
  resolvePublicVariables,
  secretReadPolicy,
  secretResourceName,
} from "../lib/secrets";
import { stackConfig } from "./support/stacks";

const prod = parseStackConfig(stackConfig("prod"));

describe("secrets", () => {
  it("derives resource names from variable names", () => {
    expect(secretResourceName("CRON_SECRET")).toBe("cron-secret");
  });

  it("lists edge-function secrets sorted", () => {
    expect(edgeFunctionSecretNames(prod.secrets)).toEqual(["CRON_SECRET", "RESEND_API_KEY"]);
  });

  it("resolves public variables from literals and stack values", () => {
    const resolved = resolvePublicVariables(prod.secrets.public, {
      supabaseUrl: "https://ref.supabase.co",
      supabasePublishableKey: "sb_publishable_abc",
      appUrl: "https://app.dirtfree.com",
    });
    expect(resolved).toEqual({
      NEXT_PUBLIC_APP_URL: "https://app.dirtfree.com",
      NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: "pk_live_51DirtFreeCrmPublishableKey0000000000",
      NEXT_PUBLIC_SUPABASE_ANON_KEY: "sb_publishable_abc",
      NEXT_PUBLIC_SUPABASE_URL: "https://ref.supabase.co",
    });
  });

  it("grants read of one secret and decrypt only through Secrets Manager (SEC-04)", () => {
    const policy = secretReadPolicy("arn:secret", "arn:key", "us-east-1") as {
      Statement: Record<string, unknown>[];
    };
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Action: ["secretsmanager:GetSecretValue"], Resource: "arn:secret" }),
      expect.objectContaining({
        Action: ["kms:Decrypt"],
        Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
      }),
    ]);
  });
});
