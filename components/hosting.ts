/**
 * Where the app runs: its Vercel project's environment variables for this environment (prod → the
 * production target, staging → preview, optionally one git branch), server secrets as `sensitive`
 * variables (write-only in Vercel), client variables as plain ones, and the environment's domain.
 * After `pulumi up` the app's next deployment starts with everything it reads.
 *
 * One Vercel project usually serves both environments: the stack that manages it (prod by default)
 * creates it, the other looks it up by name.
 */
import * as pulumi from "@pulumi/pulumi";
import * as vercel from "@pulumiverse/vercel";
import { vercelTarget, type VercelConfig } from "../config/schema/hosting";
import type { EnvironmentIdentity } from "../lib/naming";
import { hostingVariables, type HostingVariable } from "../lib/hosting";
import { HOSTING_TYPE } from "../lib/component-types";

export interface HostingArgs {
  readonly identity: EnvironmentIdentity;
  readonly config: VercelConfig;
  /** golive:app.hostname: the default domain. */
  readonly hostname: string;
  /** Server secret name → value (still Pulumi secrets). */
  readonly serverSecrets: Readonly<Record<string, pulumi.Input<string>>>;
  /** Client-exposed variables (plain by design, SEC-03 keeps server secrets out of them). */
  readonly publicVariableNames: readonly string[];
  readonly publicVariables: pulumi.Input<Record<string, string>>;
  /** Protect the project from deletion (prod). */
  readonly protect: boolean;
}

export class Hosting extends pulumi.ComponentResource {
  readonly projectId: pulumi.Output<string>;
  readonly target: "production" | "preview";
  /** Variable names written, sorted, with whether each is sensitive. */
  readonly variables: HostingVariable[];
  readonly domains: string[];

  constructor(name: string, args: HostingArgs, opts?: pulumi.ComponentResourceOptions) {
    super(HOSTING_TYPE, name, {}, opts);
    const { config, identity } = args;
    const manage = config.manageProject ?? identity.environment === "prod";
    const team = config.team !== undefined ? { teamId: config.team } : {};
    this.target = vercelTarget(config, identity.environment as "staging" | "prod");

    if (manage) {
      const project = new vercel.Project(
        `${name}-project`,
        {
          name: config.projectName,
          ...(config.framework !== undefined ? { framework: config.framework } : {}),
          ...team,
        },
        { parent: this, protect: args.protect, retainOnDelete: args.protect },
      );
      this.projectId = project.id;
    } else {
      this.projectId = vercel
        .getProjectOutput({ name: config.projectName, ...team }, { parent: this })
        .apply((project) => project.id);
    }

    this.variables = hostingVariables(config.serverSecrets, args.publicVariableNames);
    const publicValues = pulumi.output(args.publicVariables);
    for (const variable of this.variables) {
      const value = variable.sensitive
        ? args.serverSecrets[variable.key]
        : publicValues.apply((values) => {
            const found = values[variable.key];
            if (found === undefined) throw new Error(`no value for public variable ${variable.key}`);
            return found;
          });
      if (value === undefined) throw new Error(`no value for server secret ${variable.key}`);
      new vercel.ProjectEnvironmentVariable(
        `${name}-env-${variable.key.toLowerCase().replace(/_/g, "-")}`,
        {
          projectId: this.projectId,
          key: variable.key,
          value,
          // Sensitive variables cannot be read back from Vercel's API or dashboard once written.
          sensitive: variable.sensitive,
          targets: [this.target],
          ...(config.gitBranch !== undefined ? { gitBranch: config.gitBranch } : {}),
          comment: `${identity.environment}, managed by golive`,
          ...team,
        },
        { parent: this },
      );
    }

    this.domains = config.domains ?? [args.hostname];
    for (const domain of this.domains) {
      new vercel.ProjectDomain(
        `${name}-domain-${domain}`,
        {
          projectId: this.projectId,
          domain,
          // A preview domain serves its branch's latest deployment; production domains serve production.
          ...(this.target === "preview" && config.gitBranch !== undefined
            ? { gitBranch: config.gitBranch }
            : {}),
          ...team,
        },
        { parent: this },
      );
    }

    this.registerOutputs({ projectId: this.projectId, target: this.target, domains: this.domains });
  }
}
