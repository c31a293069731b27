/**
 * A JSON Schema of `Pulumi.<stack>.yaml`, generated from the zod config schema, so editors with a
 * YAML language server validate and complete stack files as they are typed. The committed copy
 * (docs/stack-config.schema.json) is checked against a fresh one in the tests.
 */
import { z } from "zod";
import { CONFIG_NAMESPACE, goliveConfigSchema, goliveConfigShape } from "../../config/schema";

export const STACK_SCHEMA_PATH = "docs/stack-config.schema.json";

type JsonSchema = Record<string, unknown>;

/** Operator secrets may only appear encrypted in a stack file (SEC-01). */
const ENCRYPTED_VALUE: JsonSchema = {
  type: "object",
  properties: { secure: { type: "string" } },
  required: ["secure"],
  additionalProperties: false,
  description: "Set with `pulumi config set --secret --path 'golive:providedSecrets.<NAME>' <value>`.",
};

export function stackFileSchema(): JsonSchema {
  const golive = z.toJSONSchema(goliveConfigSchema, { io: "input", unrepresentable: "any" }) as {
    properties: Record<string, JsonSchema>;
    required?: string[];
  };
  const properties: Record<string, JsonSchema> = {};
  for (const key of Object.keys(goliveConfigShape)) {
    const schema = golive.properties[key];
    if (!schema) continue;
    properties[`${CONFIG_NAMESPACE}:${key}`] =
      key === "providedSecrets" ? { type: "object", additionalProperties: ENCRYPTED_VALUE } : schema;
  }
  properties["aws:region"] = { type: "string", description: "The AWS region of this stack." };
  properties["aws:allowedAccountIds"] = {
    type: "array",
    items: { type: "string", pattern: "^\\d{12}$" },
    minItems: 1,
    maxItems: 1,
    description: "Exactly this environment's account (golive:app.awsAccounts).",
  };
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "golive stack file (Pulumi.<stack>.yaml)",
    type: "object",
    properties: {
      config: {
        type: "object",
        properties,
        required: (golive.required ?? []).map((key) => `${CONFIG_NAMESPACE}:${key}`),
        // Keys of other namespaces (providers) are Pulumi's business; golive's own are closed.
        patternProperties: { [`^(?!${CONFIG_NAMESPACE}:)`]: {} },
        additionalProperties: false,
      },
      environment: {},
      secretsprovider: { type: "string" },
      encryptedkey: { type: "string" },
      encryptionsalt: { type: "string" },
    },
    additionalProperties: false,
  };
}

export function stackFileSchemaText(): string {
  return `${JSON.stringify(stackFileSchema(), null, 2)}\n`;
}
