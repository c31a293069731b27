import { z } from "zod";
import { envVarName, example, hostname } from "./common";

export const HOSTS = ["vercel", "none"] as const;
export const VERCEL_TARGETS = ["production", "preview"] as const;

/** Vercel project names: lowercase letters, digits, '.', '_', '-', up to 100 characters. */
const vercelProjectName = example(
  z
    .string()
    .regex(
      /^[a-z0-9]([a-z0-9._-]{0,98}[a-z0-9])?$/,
      "must be a Vercel project name: lowercase letters, digits, '.', '_' or '-' (at most 100)",
    ),
  "my-app",
);

const vercelSchema = z.strictObject({
  /** The Vercel project the app deploys to. */
  projectName: vercelProjectName,
  /**
   * Whether this stack creates the project. With one project for both environments, prod owns it
   * and staging only writes its preview variables into it.
   */
  manageProject: z.boolean().optional(),
  /** Vercel team id or slug; default: the provider's `vercel:team`. */
  team: z.string().min(1).optional(),
  /** Framework preset of a project this stack creates (`nextjs`, `vite`...). */
  framework: z.string().min(1).optional(),
  /** Which deployments get this environment's variables; default: prod → production, staging → preview. */
  target: z.enum(VERCEL_TARGETS).optional(),
  /** Scope preview variables to one git branch (staging's branch). */
  gitBranch: z.string().min(1).optional(),
  /** Hostnames served by the project; default: golive:app.hostname. */
  domains: z.array(hostname).optional(),
  /**
   * Server secrets the app needs at run time, by name (generated, provided, or derived:
   * SUPABASE_SECRET_KEY, DATABASE_URL...). They are written as sensitive variables; ops-only
   * secrets (alert integrations, analytics tokens) stay out.
   */
  serverSecrets: z.array(envVarName).default([]),
});

/** `golive:hosting`: where the app itself runs, and the environment it starts with. */
export const hostingSchema = z.strictObject({
  provider: example(z.enum(HOSTS, { error: "must be vercel or none" }), "vercel").default("none"),
  vercel: vercelSchema.optional(),
});

export type HostingConfig = z.infer<typeof hostingSchema>;
export type VercelConfig = z.infer<typeof vercelSchema>;

export interface HostingIssue {
  readonly key: string;
  readonly message: string;
  readonly fix?: string;
}

export interface HostingContext {
  readonly environment: "staging" | "prod";
  /** Every server secret the environment holds (generated, provided, derived). */
  readonly serverSecretNames: ReadonlySet<string>;
  /** Config keys set in the stack, and those set as secrets. */
  readonly presentKeys: ReadonlySet<string>;
  readonly secretKeys: ReadonlySet<string>;
  /** The deploy's environment; the Vercel provider reads VERCEL_API_TOKEN from it. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const VERCEL_TOKEN_KEY = "vercel:apiToken";

/** The Vercel target an environment writes to. */
export function vercelTarget(
  config: VercelConfig,
  environment: "staging" | "prod",
): "production" | "preview" {
  return config.target ?? (environment === "prod" ? "production" : "preview");
}

export function checkHostingRules(hosting: HostingConfig, context: HostingContext): HostingIssue[] {
  const issues: HostingIssue[] = [];
  if (hosting.provider === "none") {
    if (hosting.vercel) {
      issues.push({
        key: "golive:hosting.vercel",
        message:
          "is set but golive:hosting.provider is none; set the provider to vercel or remove this block",
      });
    }
    return issues;
  }
  const vercel = hosting.vercel;
  if (!vercel) {
    issues.push({
      key: "golive:hosting.vercel",
      message: "golive:hosting.provider is vercel, so the Vercel project must be named",
      fix: "pulumi config set --path 'golive:hosting.vercel.projectName' my-app",
    });
    return issues;
  }
  if (!context.presentKeys.has(VERCEL_TOKEN_KEY) && !context.env.VERCEL_API_TOKEN) {
    issues.push({
      key: VERCEL_TOKEN_KEY,
      message:
        "the Vercel host needs an API token: set vercel:apiToken as a secret in the stack, or export VERCEL_API_TOKEN for the deploy",
      fix: `pulumi config set --secret ${VERCEL_TOKEN_KEY} <token>`,
    });
  }
  if (vercel.gitBranch !== undefined && vercelTarget(vercel, context.environment) !== "preview") {
    issues.push({
      key: "golive:hosting.vercel.gitBranch",
      message: "scopes preview variables to a branch; the production target takes no branch",
      fix: "pulumi config rm --path 'golive:hosting.vercel.gitBranch'",
    });
  }
  const target = vercelTarget(vercel, context.environment);
  if (target === "preview" && vercel.gitBranch === undefined && (vercel.domains ?? ["app"]).length > 0) {
    issues.push({
      key: "golive:hosting.vercel.gitBranch",
      message:
        "preview variables and a preview domain need the git branch that deploys this environment; without it the domain would serve production",
      fix: "pulumi config set --path 'golive:hosting.vercel.gitBranch' staging",
    });
  }
  vercel.serverSecrets.forEach((name, index) => {
    if (!context.serverSecretNames.has(name)) {
      issues.push({
        key: `golive:hosting.vercel.serverSecrets[${index}]`,
        message: `${name} is not a server secret of this stack (golive:secrets.generated, golive:secrets.provided or ${[...context.serverSecretNames].filter((n) => n.startsWith("SUPABASE_") || n === "DATABASE_URL").join(", ")})`,
      });
    }
  });
  return issues;
}
