/**
 * The app's Supabase edge functions, deployed from its repo (`<sourceDir>/<slug>/index.ts`) with the
 * provider's EdgeFunction, and each function's JWT verification pinned through the Management API
 * (provider 1.10.1 has no `verify_jwt`, and its deploy does not send one). A function skips
 * verification only when `golive:edgeFunctions.public` gives a reason (SEC-06).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as supabase from "@pulumi/supabase";
import { ConfigError } from "../config/errors";
import type { ResolvedEdgeFunction } from "../config/schema/functions";
import { functionJwtRequest } from "../lib/database";
import { ManagementSetting } from "./supabase-management";
import { EDGE_FUNCTIONS_TYPE } from "../lib/component-types";

export interface EdgeFunctionsArgs {
  readonly functions: readonly ResolvedEdgeFunction[];
  readonly projectRef: pulumi.Input<string>;
  /** Entry points are relative to it (the Pulumi project root, where the provider reads them at deploy). */
  readonly projectRoot: string;
  /** Resources the deploys wait for: the project's Settings (it may restart the database), the function secrets. */
  readonly dependsOn?: readonly pulumi.Resource[];
  readonly managementAccessToken?: pulumi.Input<string>;
  /** Stack name, for the config error's fix command. */
  readonly stack?: string;
}

/** Config problems with the functions' files: each missing entry point or import map, by key. */
export function missingFunctionFiles(
  functions: readonly ResolvedEdgeFunction[],
  projectRoot: string,
  exists: (file: string) => boolean = (file) => fs.existsSync(file),
): { key: string; message: string; fix: string }[] {
  const problems: { key: string; message: string; fix: string }[] = [];
  functions.forEach((fn, index) => {
    for (const [what, file] of [
      ["entry point", fn.entrypoint],
      ["import map", fn.importMap],
    ] as const) {
      if (file === undefined || exists(path.resolve(projectRoot, file))) continue;
      problems.push({
        key: `golive:edgeFunctions.functions[${index}]`,
        message: `the ${what} of "${fn.slug}", ${file}, does not exist (paths are relative to the Pulumi project root)`,
        fix: "fix golive:edgeFunctions.sourceDir or the function's entrypoint, or add the file",
      });
    }
  });
  return problems;
}

export class EdgeFunctions extends pulumi.ComponentResource {
  /** The deployed slugs, in config order. */
  readonly slugs: string[];
  readonly deployed: Record<string, supabase.EdgeFunction> = {};

  constructor(name: string, args: EdgeFunctionsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(EDGE_FUNCTIONS_TYPE, name, {}, opts);
    const problems = missingFunctionFiles(args.functions, args.projectRoot);
    if (problems.length > 0) throw new ConfigError(problems, args.stack);

    for (const fn of args.functions) {
      const deployed = new supabase.EdgeFunction(
        `${name}-${fn.slug}`,
        {
          projectRef: args.projectRef,
          slug: fn.slug,
          // Explicit: the bridge would otherwise auto-name it `<resource name>-<suffix>`.
          name: fn.slug,
          entrypoint: fn.entrypoint,
          ...(fn.importMap !== undefined ? { importMap: fn.importMap } : {}),
        },
        { parent: this, dependsOn: [...(args.dependsOn ?? [])] },
      );
      this.deployed[fn.slug] = deployed;
      // Re-sent after every deploy (the version changes), so a redeploy cannot reset the setting.
      new ManagementSetting(
        `${name}-${fn.slug}-jwt`,
        {
          projectRef: args.projectRef,
          request: functionJwtRequest(fn.slug, fn.verifyJwt),
          accessToken: args.managementAccessToken,
          trigger: deployed.version.apply((version) => `version ${version}`),
        },
        { parent: this, dependsOn: [deployed] },
      );
    }
    this.slugs = args.functions.map((fn) => fn.slug);
    this.registerOutputs({ slugs: this.slugs });
  }
}
