/**
 * @pulumiverse/vercel: where an app hosted on Vercel receives its environment (SEC-01/03/07, ENV-02).
 * A variable is a secret's place only when it is `sensitive` (write-only once set, never shown in the
 * dashboard); a server secret in a variable that is not sensitive is readable by anyone on the team.
 */
import type { ProviderCatalogue } from "./types";

export const VERCEL_CATALOGUE: ProviderCatalogue = {
  provider: "vercel",
  sdk: "node_modules/@pulumiverse/vercel",
  covered: {
    variables: {
      "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable": {
        paths: ["value", "valueWo"],
        rootVariable: { name: "key", secretWhen: "sensitive" },
        note: "one variable: `key`, `value` (or write-only `valueWo`), `sensitive`",
      },
      "vercel:index/sharedEnvironmentVariable:SharedEnvironmentVariable": {
        paths: ["value", "valueWo"],
        rootVariable: { name: "key", secretWhen: "sensitive" },
        note: "one variable shared by several projects: `key`, `value`, `sensitive`",
      },
      "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables": {
        paths: ["variables"],
        note: "[{key, value, sensitive, targets}]: sensitive values are secrets' place",
      },
      "vercel:index/project:Project": {
        paths: ["environments"],
        note: "[{key, value, sensitive, targets}] declared with the project",
      },
      "vercel:index/deployment:Deployment": {
        paths: ["environment"],
        note: "a name → value map for one deployment",
      },
    },
  },
  outOfScope: {
    variables: [
      {
        reason:
          "`environment` names a Vercel environment (production, preview), and route transforms list variable names, not values",
        types: [
          "vercel:index/featureFlagSdkKey:FeatureFlagSdkKey",
          "vercel:index/projectRoute:ProjectRoute",
          "vercel:index/traceDrain:TraceDrain",
        ],
      },
    ],
  },
};
