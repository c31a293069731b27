/**
 * Renders docs/catalogue.md from the type catalogue (policies/catalogue): per concern, the checklist
 * items that read it, the covered types with the paths read, and the types out of scope with the
 * reason. The catalogue test fails when the file is stale: `npx tsx tooling/catalogue/write-docs.ts`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROVIDER_CATALOGUES } from "../../policies/catalogue";
import { CONCERN_NAMES, CONCERNS } from "../../policies/catalogue/types";

export const CATALOGUE_DOC = path.resolve(__dirname, "../../docs/catalogue.md");

export function renderCatalogueDoc(): string {
  const lines: string[] = [
    "# The type catalogue",
    "",
    "Generated from `policies/catalogue/` by `tooling/catalogue/write-docs.ts`; do not edit by hand.",
    "For each concern a checklist item reads, the resource types the pack judges (and the input paths",
    "it reads) and the types that carry the concern's shape but are deliberately out of scope.",
    "`test/policies/catalogue.test.ts` scans the installed SDKs' type definitions and fails on a type",
    "that is in neither list. AWS types with a `tags` input (ENV-03) are listed in",
    "`policies/catalogue/aws-taggable.ts` and counted here.",
    "",
  ];
  for (const concern of CONCERN_NAMES) {
    const spec = CONCERNS[concern];
    lines.push(`## ${concern}`, "", `${spec.description}; read by ${spec.items.join(", ")}.`, "");
    for (const catalogue of PROVIDER_CATALOGUES) {
      const covered = Object.entries(catalogue.covered[concern] ?? {});
      const out = catalogue.outOfScope[concern] ?? [];
      if (covered.length === 0 && out.length === 0) continue;
      lines.push(`### ${concern}: ${catalogue.provider}`, "");
      if (concern === "tags" && catalogue.provider === "aws") {
        lines.push(`- ${covered.length} types with a \`tags\` input (policies/catalogue/aws-taggable.ts)`);
      } else {
        for (const [type, entry] of covered) {
          const read =
            entry.paths.length > 0 ? entry.paths.map((p) => `\`${p}\``).join(", ") : "the resource itself";
          lines.push(`- \`${type}\`: ${read}${entry.note ? ` (${entry.note})` : ""}`);
        }
      }
      for (const group of out) {
        lines.push(
          `- Out of scope (${group.reason}): ${group.types.map((type) => `\`${type}\``).join(", ")}`,
        );
      }
      lines.push("");
    }
  }
  lines.push("## Generated values and rotation", "");
  for (const catalogue of PROVIDER_CATALOGUES) {
    for (const [type, generator] of Object.entries(catalogue.generators ?? {})) {
      lines.push(
        `- \`${type}\` (\`${generator.output}\`): ${generator.secret === "always" ? "a secret wherever it goes" : "a secret where it is used as one"}`,
      );
    }
    for (const type of Object.keys(catalogue.rotation ?? {}))
      lines.push(`- \`${type}\`: rotates what depends on it (SEC-05)`);
    for (const group of catalogue.notGenerators ?? []) {
      lines.push(`- Not secrets (${group.reason}): ${group.types.map((type) => `\`${type}\``).join(", ")}`);
    }
  }
  lines.push("");
  return lines.join("\n");
}

if (require.main === module) {
  fs.writeFileSync(CATALOGUE_DOC, renderCatalogueDoc());
  console.log(`wrote ${CATALOGUE_DOC}`);
}
