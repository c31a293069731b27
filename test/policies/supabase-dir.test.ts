import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findProjectDir } from "../../policies/lib/config";
import { findSupabaseDir, supabaseFiles } from "../../policies/lib/supabase-dir";
import { T } from "../../policies/lib/types";
import { analyzeResource, secret, violations } from "./harness";
import { only, pack, res } from "./fixtures";

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

/** A directory tree from `{relative path: content}` (a trailing `/` makes a directory). */
function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "golive-supabase-dir-"));
  roots.push(root);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name);
    if (name.endsWith("/")) fs.mkdirSync(file, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
  }
  return root;
}

// As `supabase init` and `supabase migration new` lay them out.
const CONFIG_TOML = `project_id = "crm"

[api]
enabled = true
schemas = ["public", "graphql_public"]

[functions.stripe-webhook]
verify_jwt = false
`;
const PROFILES = `create table public.profiles (id uuid primary key references auth.users (id), name text);
alter table public.profiles enable row level security;
`;
const INVOICES = `create table public.invoices (id bigint generated always as identity primary key, amount integer);
`;

describe("the Supabase CLI's directory", () => {
  it("is found beside Pulumi.yaml", () => {
    const root = tree({
      "Pulumi.yaml": "name: crm\nruntime: nodejs\n",
      "supabase/config.toml": CONFIG_TOML,
      "supabase/migrations/20250102090000_profiles.sql": PROFILES,
    });
    const files = supabaseFiles(root, undefined);
    expect(files?.migrationsDir).toBe(path.join(root, "supabase/migrations"));
    expect(files?.configToml).toBe(path.join(root, "supabase/config.toml"));
  });

  it("is found at the repository root when the program lives in infra/, and never above the repository", () => {
    const repo = tree({
      ".git/": "",
      "infra/Pulumi.yaml": "name: crm\nruntime: nodejs\n",
      "supabase/migrations/20250102090000_profiles.sql": PROFILES,
    });
    expect(findSupabaseDir(path.join(repo, "infra"))).toBe(path.join(repo, "supabase"));
    const outer = tree({
      "supabase/config.toml": CONFIG_TOML,
      "repo/.git/": "",
      "repo/infra/Pulumi.yaml": "name: crm\n",
    });
    expect(findSupabaseDir(path.join(outer, "repo/infra"))).toBeUndefined();
  });

  it("gives way to golive:database.migrationsDir, with its config.toml beside the migrations", () => {
    const root = tree({
      "db/migrations/1_profiles.sql": PROFILES,
      "db/config.toml": CONFIG_TOML,
      "supabase/migrations/1_other.sql": INVOICES,
    });
    const files = supabaseFiles(root, "db/migrations");
    expect(files?.migrationsDir).toBe(path.join(root, "db/migrations"));
    expect(files?.configToml).toBe(path.join(root, "db/config.toml"));
    expect(supabaseFiles(tree({ "Pulumi.yaml": "name: x\n" }), undefined)).toBeUndefined();
  });
});

describe("the project root the pack reads", () => {
  it("takes GOLIVE_PROJECT_DIR, else the project above the pack when it is the project the engine runs", () => {
    const root = tree({ "Pulumi.yaml": "name: crm\nruntime: nodejs\n", "policies/PulumiPolicy.yaml": "" });
    const packDir = path.join(root, "policies");
    expect(findProjectDir(packDir, { GOLIVE_PROJECT_DIR: "/somewhere" })).toBe("/somewhere");
    expect(findProjectDir(packDir, { PULUMI_NODEJS_PROJECT: "crm" })).toBe(root);
    // A pack kept in another project's tree must not read that project's migrations.
    expect(findProjectDir(packDir, { PULUMI_NODEJS_PROJECT: "billing" })).toBeUndefined();
    const program = tree({ "Pulumi.yaml": "name: billing\nruntime: nodejs\n" });
    expect(findProjectDir(packDir, { PULUMI_NODEJS_PROJECT: "billing", INIT_CWD: program })).toBe(program);
  });
});

describe("DB-01, DB-08 and SEC-06 read a Supabase program's own layout (no golive config)", () => {
  const project = res(T.supabaseProject, "crm", {
    organizationId: "acme",
    region: "eu-central-1",
    databasePassword: secret("x".repeat(48)),
  });
  const program = tree({
    "Pulumi.yaml": "name: crm\nruntime: nodejs\n",
    "supabase/config.toml": CONFIG_TOML,
    "supabase/migrations/20250102090000_profiles.sql": PROFILES,
    "supabase/migrations/20250110120000_invoices.sql": INVOICES,
    "supabase/migrations/20250111000000_seed_demo_contacts.sql":
      "insert into public.profiles values (gen_random_uuid(), 'demo');\n",
  });
  const teamPack = (env: "prod" | "staging") =>
    pack(env, { withoutDefaults: true, config: {}, extraEnv: { GOLIVE_PROJECT_DIR: program } });

  it("DB-01 finds a table without row level security in supabase/migrations", async () => {
    const found = violations(
      await analyzeResource(only(teamPack("prod"), "db-01-rls-enabled"), project),
      "db-01-rls-enabled",
    );
    expect(found.map((v) => v.message).join("\n")).toContain("table public.invoices");
    expect(found.map((v) => v.message).join("\n")).not.toContain("public.profiles");
  });

  it("DB-08 finds a seed migration among them in prod", async () => {
    const found = violations(
      await analyzeResource(only(teamPack("prod"), "db-08-no-seed-data-in-prod"), project),
      "db-08-no-seed-data-in-prod",
    );
    expect(found[0]!.message).toContain("20250111000000_seed_demo_contacts.sql");
  });

  it("SEC-06 reads verify_jwt = false in supabase/config.toml", async () => {
    const found = violations(
      await analyzeResource(only(teamPack("prod"), "sec-06-edge-function-jwt"), res(T.stack, "crm-prod")),
      "sec-06-edge-function-jwt",
    );
    expect(found.map((v) => v.message).join("\n")).toContain("stripe-webhook");
  });
});
