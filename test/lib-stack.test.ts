import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../config/load";
import { TAGGABLE_AWS_TYPES, UNTAGGABLE_AWS_TYPES, withRequiredTags } from "../components/tagging";
import {
  apiSettings,
  authSettings,
  backupLifecycleRules,
  databaseSettings,
  networkSettings,
  pitrRequest,
  poolerConnectionString,
  poolerRequest,
  postgresDuration,
} from "../lib/database";
import { limitedName, physicalName, requiredTags } from "../lib/naming";
import {
  edgeFunctionSecretNames,
  resolvePublicVariables,
  secretReadPolicy,
  secretResourceName,
} from "../lib/secrets";
import { stackConfig } from "./support/stacks";

const prod = parseStackConfig(stackConfig("prod"));
const staging = parseStackConfig(stackConfig("staging"));

describe("naming", () => {
  it("joins app, environment and parts into a lowercase slug", () => {
    expect(physicalName({ app: "dirt-free-crm", environment: "prod" }, "DB Backups")).toBe(
      "dirt-free-crm-prod-db-backups",
    );
  });

  it("cuts long names to a limit, keeping them distinct", () => {
    const a = limitedName("a".repeat(70) + "-one", 63);
    const b = limitedName("a".repeat(70) + "-two", 63);
    expect(a).toHaveLength(63);
    expect(a).not.toBe(b);
    expect(limitedName("short", 63)).toBe("short");
  });

  it("names the four cost tags as the checklist does", () => {
    expect(requiredTags({ app: "a", environment: "prod", owner: "o@x.io", costCenter: "cc" })).toEqual({
      app: "a",
      environment: "prod",
      owner: "o@x.io",
      "cost-center": "cc",
    });
  });
});

describe("database settings", () => {
  it("declares seed 001's memory settings and the statement timeout (DB-06)", () => {
    expect(databaseSettings(prod.database)).toEqual({
      statement_timeout: "30s",
      shared_buffers: "256MB",
      effective_cache_size: "1GB",
      work_mem: "4MB",
      maintenance_work_mem: "64MB",
    });
    expect(postgresDuration(1500)).toBe("1500ms");
  });

  it("exposes the configured schemas and limits rows", () => {
    expect(apiSettings(prod.database)).toEqual({
      db_schema: "public,graphql_public",
      db_extra_search_path: "public,extensions",
      max_rows: 1000,
    });
  });

  it("sets the auth site URL, redirect allow-list, password length and Auth's SMTP", () => {
    expect(authSettings(prod.database, "re_resend_key")).toMatchObject({
      site_url: "https://app.dirtfree.com",
      uri_allow_list: "https://app.dirtfree.com/auth/callback,https://app.dirtfree.com/portal/auth/callback",
      password_min_length: 12,
      smtp_host: "smtp.resend.com",
      smtp_pass: "re_resend_key",
    });
    // SMTP is declared, so the blob cannot be made without the password.
    expect(() => authSettings(prod.database)).toThrow(/RESEND_API_KEY/);
  });

  it("restricts the network to the listed CIDRs, or says explicitly that it is open", () => {
    expect(networkSettings(prod.database)).toEqual({ restrictions: ["76.76.21.0/24", "44.210.10.0/24"] });
    expect(networkSettings({ ...staging.database, network: { allowedCidrs: [] } })).toEqual({
      restrictions: ["0.0.0.0/0", "::/0"],
    });
  });

  it("applies the pooler and PITR through the Management API", () => {
    expect(poolerRequest(prod.database)).toEqual({
      method: "PATCH",
      path: "/config/database/pooler",
      body: { default_pool_size: 30, pool_mode: "transaction" },
    });
    expect(pitrRequest(prod.database)).toEqual({
      method: "PATCH",
      path: "/billing/addons",
      body: { addon_type: "pitr", addon_variant: "pitr_14" },
    });
    expect(pitrRequest(staging.database)).toBeUndefined();
  });

  it("fills the pooler password, URL-encoded, and refuses a template without the placeholder", () => {
    expect(poolerConnectionString("postgres://u:[YOUR-PASSWORD]@h:6543/db", "a/b@c")).toBe(
      "postgres://u:a%2Fb%40c@h:6543/db",
    );
    expect(() => poolerConnectionString("postgres://u@h/db", "x")).toThrow(/placeholder/);
  });

  it("archives and expires off-site backups", () => {
    const [rule] = backupLifecycleRules(prod.database);
    expect(rule).toMatchObject({
      status: "Enabled",
      transitions: [{ days: 30, storageClass: "GLACIER_IR" }],
      expiration: { days: 90 },
    });
    expect(backupLifecycleRules(staging.database)[0]).toMatchObject({ transitions: [] });
  });
});

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

describe("tagging", () => {
  const tags = { app: "a", environment: "prod", owner: "o@x.io", costCenter: "cc" };

  it("adds the four tags to taggable AWS types, keeping a resource's own tags", async () => {
    const props = withRequiredTags(
      "aws:sns/topic:Topic",
      { name: "t", tags: { team: "x", app: "wrong" } },
      tags,
    );
    const resolved = await new Promise<unknown>((resolve) => {
      pulumi.output(props!.tags as pulumi.Input<Record<string, string>>).apply((value) => {
        resolve(value);
      });
    });
    expect(resolved).toEqual({
      team: "x",
      app: "a",
      environment: "prod",
      owner: "o@x.io",
      "cost-center": "cc",
    });
  });

  it("leaves untaggable types and other providers alone", () => {
    expect(withRequiredTags("aws:kms/alias:Alias", { name: "x" }, tags)).toBeUndefined();
    expect(withRequiredTags("cloudflare:index/ruleset:Ruleset", {}, tags)).toBeUndefined();
  });

  it("classifies no type twice", () => {
    for (const type of TAGGABLE_AWS_TYPES) expect(UNTAGGABLE_AWS_TYPES.has(type)).toBe(false);
  });
});
