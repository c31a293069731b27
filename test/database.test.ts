import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../config/load";
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
import { stackConfig } from "./support/stacks";

const prod = parseStackConfig(stackConfig("prod"));
const staging = parseStackConfig(stackConfig("staging"));

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
