import { PUBLIC_REASON_MIN_CHARS } from "../../lib/limits";
import { z } from "zod";
import { envVarName, example } from "./common";

/** Supabase function slugs: what `supabase functions new` accepts (letters, digits, '-', '_'). */
export const functionSlug = example(
  z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9_-]{0,63}$/,
      "must be a function slug: a letter, then letters, digits, '-' or '_' (at most 64)",
    ),
  "process-queue",
);

/** A path inside the function's folder, such as `index.ts`. */
const relativeFile = z
  .string()
  .min(1)
  .refine((value) => !value.startsWith("/") && !value.split(/[\\/]/).includes(".."), {
    error: "must be a path inside the function's folder (no leading '/', no '..')",
  });

const functionSchema = z.union(
  [
    functionSlug,
    z.strictObject({
      slug: functionSlug,
      /** Entry point inside `<sourceDir>/<slug>/`. */
      entrypoint: relativeFile.default("index.ts"),
      /** Import map inside `<sourceDir>/<slug>/` (for example `deno.json`). */
      importMap: relativeFile.optional(),
    }),
  ],
  { error: "must be a function slug, or {slug, entrypoint?, importMap?}" },
);

/**
 * `golive:edgeFunctions`: the app's Supabase edge functions, deployed from its repo. Every function
 * verifies the caller's JWT (`verify_jwt`, SEC-06) unless `public` names it with a reason.
 */
export const edgeFunctionsSchema = z.strictObject({
  /** The folder holding `<slug>/index.ts`, relative to the Pulumi project root. */
  sourceDir: example(z.string().min(1), "supabase/functions").default("supabase/functions"),
  functions: z.array(functionSchema).default([]),
  /** slug → why it skips JWT verification and how it authenticates its callers instead (webhooks, cron). */
  public: z.record(z.string(), z.string()).default({}),
  /**
   * The functions' failures and latency in the alerts: a provided secret holding a Supabase access
   * token, with which a collector reads each function's statistics from the Management API.
   */
  monitoring: z
    .strictObject({ accessTokenSecretName: example(envVarName, "SUPABASE_METRICS_TOKEN") })
    .optional(),
});

export type EdgeFunctionsConfig = z.infer<typeof edgeFunctionsSchema>;

/** One function with every default applied. */
export interface ResolvedEdgeFunction {
  readonly slug: string;
  /** Relative to the project root, with '/' separators: what the provider reads at deploy time. */
  readonly entrypoint: string;
  readonly importMap?: string;
  readonly verifyJwt: boolean;
  /** Why it is public, when it is. */
  readonly publicReason?: string;
}

function joinPath(...parts: string[]): string {
  return parts
    .join("/")
    .replace(/\\/g, "/")
    .replace(/\/{2,}/g, "/")
    .replace(/^\.\//, "");
}

export function resolveEdgeFunctions(config: EdgeFunctionsConfig): ResolvedEdgeFunction[] {
  return config.functions.map((item) => {
    const spec = typeof item === "string" ? { slug: item, entrypoint: "index.ts" } : item;
    const folder = joinPath(config.sourceDir, spec.slug);
    const reason = config.public[spec.slug];
    return {
      slug: spec.slug,
      entrypoint: joinPath(folder, spec.entrypoint),
      ...("importMap" in spec && spec.importMap !== undefined
        ? { importMap: joinPath(folder, spec.importMap) }
        : {}),
      verifyJwt: reason === undefined,
      ...(reason !== undefined ? { publicReason: reason } : {}),
    };
  });
}

export interface EdgeFunctionIssue {
  readonly key: string;
  readonly message: string;
  readonly fix?: string;
}

/** Rules the shape cannot say: unique slugs, and every public function named and reasoned (SEC-06). */
export function checkEdgeFunctionRules(config: EdgeFunctionsConfig): EdgeFunctionIssue[] {
  const issues: EdgeFunctionIssue[] = [];
  const slugs = config.functions.map((item) => (typeof item === "string" ? item : item.slug));
  const seen = new Set<string>();
  slugs.forEach((slug, index) => {
    if (seen.has(slug)) {
      issues.push({
        key: `golive:edgeFunctions.functions[${index}]`,
        message: `function "${slug}" is listed twice; each slug is deployed once`,
      });
    }
    seen.add(slug);
  });
  for (const [slug, reason] of Object.entries(config.public)) {
    const key = `golive:edgeFunctions.public.${slug}`;
    if (!seen.has(slug)) {
      issues.push({
        key,
        message: `"${slug}" is declared public but is not in golive:edgeFunctions.functions; list it there or remove this entry`,
      });
    }
    if (reason.trim().length < PUBLIC_REASON_MIN_CHARS) {
      issues.push({
        key,
        message: `a public function (verify_jwt off) needs a reason of at least ${PUBLIC_REASON_MIN_CHARS} characters: why it is public and how it checks its callers instead (SEC-06)`,
        fix: `pulumi config set --path '${key}' "Stripe webhook; verifies the Stripe-Signature header"`,
      });
    }
  }
  return issues;
}
