/**
 * SEC-06: edge functions verify JWTs unless a function is declared public with a reason. The pack
 * judges what turns verification off (a Management API call to `/functions/<slug>`, a `verifyJwt`
 * input, `verify_jwt = false` in supabase/config.toml) and every function the stack deploys: provider
 * 1.10.1 cannot set `verify_jwt`, so a deployed function whose setting no call pins is reported.
 *
 * A function is declared public in the stack config (`golive:edgeFunctions.public`, slug → reason,
 * which golive's own components read) or in this policy's `publicFunctions` config.
 */
import type { PolicyResource } from "@pulumi/policy";
import * as fs from "node:fs";
import { databaseConfigSchema, edgeFunctionsConfigSchema, readConfigKey } from "./lib/config";
import type { Check, PolicySpec } from "./lib/define";
import { peekString, StackIndex } from "./lib/props";
import { MANAGEMENT_SETTING_TYPE } from "../lib/component-types";
import { PUBLIC_REASON_MIN_CHARS } from "../lib/limits";
import { managementBody, managementPath } from "./lib/stack";
import { supabaseFiles } from "./lib/supabase-dir";
import { T } from "./lib/types";
import { peek, UNKNOWN } from "./lib/unknowns";

/** `[functions.<slug>] verify_jwt = false` in supabase/config.toml: the functions deployed without JWT checks. */
export function unverifiedFunctionsInToml(text: string): string[] {
  const out: string[] = [];
  let section: string | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/#.*$/, "").trim();
    const header = /^\[\s*functions\.(?:"([^"]+)"|([A-Za-z0-9_-]+))\s*\]$/.exec(line);
    if (header) {
      section = header[1] ?? header[2];
      continue;
    }
    if (line.startsWith("[")) {
      section = undefined;
      continue;
    }
    if (section && /^verify_jwt\s*=\s*false$/.test(line)) out.push(section);
  }
  return out;
}

const FUNCTION_PATH = /^\/functions\/([^/]+)$/;

/** slug → reason, from the policy config and the stack's `golive:edgeFunctions.public` (the policy config wins). */
function declaredPublic(check: Check): Map<string, string> {
  const declared = new Map<string, string>();
  const stack = readConfigKey(check.ctx.config, "golive:edgeFunctions", edgeFunctionsConfigSchema);
  if (stack.ok)
    for (const [slug, reason] of Object.entries(stack.value?.public ?? {})) declared.set(slug, reason);
  const policy = check.config<{ publicFunctions: Record<string, string> }>();
  for (const [slug, reason] of Object.entries(policy.publicFunctions ?? {})) declared.set(slug, reason);
  return declared;
}

function judgePublicFunction(slug: string, where: string, check: Check, urn?: string): void {
  const reason = declaredPublic(check).get(slug);
  if (reason === undefined) {
    check.violation(
      `edge function "${slug}" skips JWT verification (${where}) but is not declared public with a reason (golive:edgeFunctions.public or the policy's publicFunctions)`,
      urn,
    );
  } else if (reason.trim().length < PUBLIC_REASON_MIN_CHARS) {
    check.violation(`edge function "${slug}" is declared public with too short a reason ("${reason}")`, urn);
  }
}

/** The slug a Management API call configures, or undefined when it is not a function's settings. */
function functionSlugOf(resource: Pick<PolicyResource, "type" | "props">): string | undefined {
  if (resource.type !== MANAGEMENT_SETTING_TYPE) return undefined;
  return FUNCTION_PATH.exec(managementPath(resource) ?? "")?.[1];
}

/** Two resources name the same Supabase project when their projectRef values match or one depends on the other's source. */
function sameProject(index: StackIndex, a: PolicyResource, b: PolicyResource): boolean {
  const refA = peek(a.props, "projectRef");
  const refB = peek(b.props, "projectRef");
  if (typeof refA === "string" && typeof refB === "string") return refA === refB;
  const sourcesA = new Set(index.referencedBy(a, "projectRef").map((resource) => resource.urn));
  const sourcesB = index.referencedBy(b, "projectRef").map((resource) => resource.urn);
  // Unknown refs with no shared source: cannot tell, so assume the same project (one project per stack).
  return sourcesA.size === 0 || sourcesB.length === 0 || sourcesB.some((urn) => sourcesA.has(urn));
}

export const edgeFunctionJwt: PolicySpec = {
  name: "sec-06-edge-function-jwt",
  id: "SEC-06",
  description:
    "Edge functions verify JWTs unless declared public (webhooks, cron) with a reason in golive:edgeFunctions.public or this policy's publicFunctions config; every deployed function has its verify_jwt pinned.",
  severity: "high",
  remediationSteps:
    "Keep verify_jwt on; for a webhook or a cron target, declare it: `pulumi config set --path 'golive:edgeFunctions.public.<slug>' \"<why it is public and how it authenticates>\"` (or the policy config `publicFunctions`), and check the caller's signature or secret in the function. Deploy functions with golive's EdgeFunctions component, which pins verify_jwt through the Management API.",
  configSchema: {
    properties: {
      publicFunctions: {
        type: "object",
        additionalProperties: { type: "string" },
        default: {},
        description: "Edge functions allowed to skip JWT verification: slug → reason (10+ characters).",
      },
    },
  },
  resource: {
    validate(resource, check) {
      if (resource.type === T.stack) {
        const read = readConfigKey(check.ctx.config, "golive:database", databaseConfigSchema);
        const migrations = read.ok ? read.value?.migrationsDir : undefined;
        const toml = supabaseFiles(check.ctx.projectDir, migrations)?.configToml;
        if (toml === undefined) return;
        for (const slug of unverifiedFunctionsInToml(fs.readFileSync(toml, "utf8"))) {
          judgePublicFunction(slug, `verify_jwt = false in ${toml}`, check);
        }
        return;
      }
      // Any resource that sets JWT verification in code: a Management API call or a provider that has the input.
      let verify: unknown = peek(resource.props, "verifyJwt") ?? peek(resource.props, "verify_jwt");
      let slug = peekString(resource.props, "slug") ?? resource.name;
      if (resource.type === MANAGEMENT_SETTING_TYPE) {
        const functionSlug = functionSlugOf(resource);
        if (functionSlug === undefined) return;
        slug = functionSlug;
        const body = managementBody(resource);
        if (body.kind === "unknown") {
          check.undeterminable(`the settings of edge function "${slug}"`);
          return;
        }
        verify = body.kind === "object" ? body.value.verify_jwt : undefined;
      }
      if (verify === UNKNOWN) check.undeterminable(`verify_jwt of edge function "${slug}"`);
      else if (verify === false) judgePublicFunction(slug, `${resource.type} "${resource.name}"`, check);
    },
  },
  stack(resources, check) {
    const index = new StackIndex(resources);
    const functions = index.ofType(T.supabaseEdgeFunction);
    if (functions.length === 0) return;
    const calls = index.ofType(MANAGEMENT_SETTING_TYPE).filter((call) => functionSlugOf(call) !== undefined);
    check.each(functions, (fn) => {
      const slug = peek(fn.props, "slug");
      if (slug === UNKNOWN) {
        check.undeterminable(`the slug of edge function "${fn.name}"`, fn.urn);
        return;
      }
      if (typeof slug !== "string") return;
      const pinned = calls.filter((call) => functionSlugOf(call) === slug && sameProject(index, fn, call));
      const settings = pinned.map((call) => managementBody(call));
      if (settings.some((body) => body.kind === "unknown")) return; // reported per resource
      const verify = settings.flatMap((body) => (body.kind === "object" ? [body.value.verify_jwt] : []));
      if (verify.some((value) => typeof value === "boolean")) return; // judged per resource
      check.violation(
        `edge function "${slug}" is deployed with its JWT verification unpinned: provider 1.10.1 cannot set verify_jwt, so it keeps whatever the project last had; pin it with a Management API PATCH /v1/projects/{ref}/functions/${slug} {"verify_jwt": true} (golive's EdgeFunctions component does)`,
        fn.urn,
      );
    });
  },
};
