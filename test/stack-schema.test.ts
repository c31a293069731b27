import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { STACK_SCHEMA_PATH, stackFileSchema, stackFileSchemaText } from "../tooling/schema/stack-file-schema";
import { REPO_ROOT } from "./support/stacks";

const validate = new Ajv2020({ allErrors: true, strict: false }).compile(stackFileSchema());

function stackFile(stack: string): unknown {
  return parseYaml(readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8"));
}

describe("the stack file JSON Schema", () => {
  it("is committed up to date (npm run schema regenerates it)", () => {
    expect(readFileSync(path.join(REPO_ROOT, STACK_SCHEMA_PATH), "utf8")).toBe(stackFileSchemaText());
  });

  it.each(["staging", "prod"])("accepts Pulumi.%s.yaml", (stack) => {
    const valid = validate(stackFile(stack));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("rejects a typo in a golive key, and a plain-text operator secret", () => {
    const file = stackFile("prod") as { config: Record<string, unknown> };
    file.config["golive:databse"] = {};
    file.config["golive:providedSecrets"] = { STRIPE_SECRET_KEY: "sk_live_plain" };
    expect(validate(file)).toBe(false);
    const paths = (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ""}`);
    expect(paths).toContain("/config must NOT have additional properties");
    expect(paths).toContain("/config/golive:providedSecrets/STRIPE_SECRET_KEY must be object");
  });

  it("leaves other namespaces to Pulumi", () => {
    const file = stackFile("prod") as { config: Record<string, unknown> };
    file.config["cloudflare:apiToken"] = { secure: "v1:abc" };
    expect(validate(file)).toBe(true);
  });
});
