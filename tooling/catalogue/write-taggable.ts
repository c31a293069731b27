/**
 * Writes policies/catalogue/aws-taggable.ts: every AWS resource type whose inputs carry `tags`,
 * read from the installed @pulumi/aws. ENV-03 needs the list at pack run time (the pack does not
 * install provider SDKs); the catalogue test fails when the file and the installed SDK disagree,
 * so after a provider upgrade run `npx tsx tooling/catalogue/write-taggable.ts`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { scanSdk } from "./scan";

const root = path.resolve(__dirname, "../..");

export function awsTaggableTypes(): string[] {
  return scanSdk(path.join(root, "node_modules/@pulumi/aws"))
    .filter((scanned) => scanned.paths.includes("tags"))
    .map((scanned) => scanned.type);
}

export function renderTaggable(types: readonly string[]): string {
  const version = (
    JSON.parse(fs.readFileSync(path.join(root, "node_modules/@pulumi/aws/package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  return [
    `/** AWS resource types with a \`tags\` input, from @pulumi/aws ${version} (tooling/catalogue/write-taggable.ts writes this file). */`,
    "export const AWS_TAGGABLE_TYPES: readonly string[] = [",
    ...types.map((type) => `  "${type}",`),
    "];",
    "",
  ].join("\n");
}

if (require.main === module) {
  const file = path.join(root, "policies/catalogue/aws-taggable.ts");
  fs.writeFileSync(file, renderTaggable(awsTaggableTypes()));
  console.log(`wrote ${file}`);
}
