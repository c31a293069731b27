/**
 * The type catalogue against the installed providers' own type definitions: a type whose inputs
 * carry a concern's shape (variables, TLS policy, proxied, retention, tags, KMS key, stateful
 * store, public database) must be covered by the pack or listed out of scope with a reason.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROVIDER_CATALOGUES } from "../../policies/catalogue";
import { AWS_TAGGABLE_TYPES } from "../../policies/catalogue/aws-taggable";
import type { ProviderCatalogue } from "../../policies/catalogue/types";
import { catalogueGaps } from "../../tooling/catalogue/check";
import { scanSdk, type ScannedType } from "../../tooling/catalogue/scan";

const root = path.resolve(__dirname, "../..");
const scans = new Map<string, ScannedType[]>();
function scanned(catalogue: ProviderCatalogue): ScannedType[] {
  let found = scans.get(catalogue.sdk);
  if (!found) {
    found = scanSdk(path.join(root, catalogue.sdk));
    scans.set(catalogue.sdk, found);
  }
  return found;
}

function catalogue(provider: string): ProviderCatalogue {
  const found = PROVIDER_CATALOGUES.find((entry) => entry.provider === provider);
  if (!found) throw new Error(`no catalogue for ${provider}`);
  return found;
}

describe("type catalogue", () => {
  it.each(PROVIDER_CATALOGUES.map((entry) => [entry.provider, entry] as const))(
    "%s: every type carrying a concern's shape is covered or out of scope",
    (_provider, entry) => {
      const types = scanned(entry);
      expect(types.length).toBeGreaterThan(0);
      expect(catalogueGaps(entry, types)).toEqual([]);
    },
    60_000,
  );

  it("scans nested input types (Lambda environment.variables, Pages envVars)", () => {
    const lambda = scanned(catalogue("aws")).find((entry) => entry.type === "aws:lambda/function:Function");
    expect(lambda?.paths).toContain("environment.variables");
    const pages = scanned(catalogue("cloudflare")).find(
      (entry) => entry.type === "cloudflare:index/pagesProject:PagesProject",
    );
    expect(pages?.paths).toContain("deploymentConfigs.production.envVars");
  });

  it.each([
    ["aws", "tls", "aws:cloudfront/distribution:Distribution"],
    ["aws", "stateful", "aws:dynamodb/table:Table"],
    ["aws", "variables", "aws:ecs/taskDefinition:TaskDefinition"],
    ["aws", "database", "aws:rds/instance:Instance"],
    ["aws", "tags", "aws:sqs/queue:Queue"],
    ["cloudflare", "tls", "cloudflare:index/customHostname:CustomHostname"],
    ["cloudflare", "stateful", "cloudflare:index/r2Bucket:R2Bucket"],
    ["cloudflare", "variables", "cloudflare:index/pagesProject:PagesProject"],
    ["cloudflare", "proxied", "cloudflare:index/dnsRecord:DnsRecord"],
  ] as const)("%s: removing %s's %s from the catalogue fails", (provider, concern, type) => {
    const entry = catalogue(provider);
    const covered = { ...entry.covered[concern] };
    expect(covered[type]).toBeDefined();
    delete covered[type];
    const reduced: ProviderCatalogue = { ...entry, covered: { ...entry.covered, [concern]: covered } };
    expect(catalogueGaps(reduced, scanned(entry))).toContainEqual(expect.objectContaining({ type, concern }));
  });

  it("fails on a random type that is neither a generator nor listed", () => {
    const entry = catalogue("random");
    const reduced: ProviderCatalogue = { ...entry, notGenerators: [] };
    expect(catalogueGaps(reduced, scanned(entry)).map((gap) => gap.type)).toContain(
      "random:index/randomPet:RandomPet",
    );
  });

  it("fails on a type the SDK does not have", () => {
    const entry = catalogue("cloudflare");
    const reduced: ProviderCatalogue = {
      ...entry,
      covered: {
        ...entry.covered,
        tls: { ...entry.covered.tls, "cloudflare:index/noSuch:NoSuch": { paths: [] } },
      },
    };
    expect(catalogueGaps(reduced, scanned(entry))).toContainEqual(
      expect.objectContaining({ type: "cloudflare:index/noSuch:NoSuch" }),
    );
  });

  it("docs/catalogue.md names every catalogued type (regenerate with tooling/catalogue/write-docs.ts)", () => {
    const doc = fs.readFileSync(path.join(root, "docs/catalogue.md"), "utf8");
    for (const entry of PROVIDER_CATALOGUES) {
      for (const [concern, covered] of Object.entries(entry.covered)) {
        if (concern === "tags" && entry.provider === "aws") continue;
        for (const type of Object.keys(covered ?? {})) expect(doc, type).toContain(`\`${type}\``);
      }
      for (const groups of Object.values(entry.outOfScope)) {
        for (const type of (groups ?? []).flatMap((group) => group.types))
          expect(doc, type).toContain(`\`${type}\``);
      }
    }
  });

  it("aws-taggable.ts lists exactly the installed @pulumi/aws types with a tags input", () => {
    const fromSdk = scanned(catalogue("aws"))
      .filter((entry) => entry.paths.includes("tags"))
      .map((entry) => entry.type);
    expect([...AWS_TAGGABLE_TYPES].sort()).toEqual(fromSdk.sort());
  });
});
