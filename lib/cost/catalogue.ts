/**
 * The price catalogue (`prices.json`): what each unit costs, where the figure came from and when it
 * was checked, and for every resource type golive knows whether it is priced, free, or deliberately
 * not priced (with the reason). Validated once when first read, so a malformed entry fails loudly.
 */
import { z } from "zod";
import catalogueJson from "./prices.json";

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");

const priceSchema = z.strictObject({
  /** What one unit is, e.g. `alarm metric-month`, `1,000,000 requests`. */
  unit: z.string().min(1),
  /** USD per unit (negative for a credit). */
  usd: z.number().finite(),
  /** The region(s) or plan the figure applies to. */
  scope: z.string().min(1),
  /** The provider's own pricing page. */
  source: z.url(),
  /** When the figure was last checked. */
  checked: isoDate,
  /** Where the figure was confirmed, with that page's date when it is older than `checked`. */
  evidence: z.string().min(1),
});

const typeEntrySchema = z.union([
  z.strictObject({ priced: z.string().min(1) }),
  z.strictObject({ free: z.string().min(1) }),
  z.strictObject({ notPriced: z.string().min(1) }),
]);

export const catalogueSchema = z.strictObject({
  /** Calendar version (year.month.revision), bumped whenever a price changes. */
  version: z.string().regex(/^\d{4}\.\d{1,2}\.\d+$/, "must be year.month.revision, e.g. 2026.12.1"),
  currency: z.literal("USD"),
  /** AWS regions whose prices are the catalogue's; other regions are estimated at these prices (and say so). */
  awsPricedRegions: z.array(z.string().min(1)).min(1),
  prices: z.record(z.string().min(1), priceSchema),
  types: z.record(z.string().regex(/^[^:]+:[^:]+:[^:]+$/, "must be a Pulumi type token"), typeEntrySchema),
});

export type Price = z.infer<typeof priceSchema>;
export type Catalogue = z.infer<typeof catalogueSchema>;

/** How the catalogue treats a type: priced by a pricer, free (with why), not priced (with why), or unknown. */
export type TypeCoverage =
  | { readonly kind: "priced"; readonly note: string }
  | { readonly kind: "free"; readonly reason: string }
  | { readonly kind: "not-priced"; readonly reason: string }
  | { readonly kind: "unknown" };

export class CatalogueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CatalogueError";
  }
}

/** Parses a catalogue document; the error names the entry and what is wrong. */
export function parseCatalogue(document: unknown, file = "lib/cost/prices.json"): Catalogue {
  const parsed = catalogueSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map(String).join(".") ?? "";
    throw new CatalogueError(`${file}: ${where ? `${where}: ` : ""}${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

let cached: Catalogue | undefined;

/** golive's catalogue, validated on first use. */
export function priceCatalogue(): Catalogue {
  cached ??= parseCatalogue(catalogueJson);
  return cached;
}

export function coverageOf(catalogue: Catalogue, type: string): TypeCoverage {
  const entry = catalogue.types[type];
  if (entry === undefined) return { kind: "unknown" };
  if ("priced" in entry) return { kind: "priced", note: entry.priced };
  if ("free" in entry) return { kind: "free", reason: entry.free };
  return { kind: "not-priced", reason: entry.notPriced };
}

/** A price by id; an id the code names but the catalogue lacks is a bug in golive, not bad input. */
export function priceOf(catalogue: Catalogue, id: string): Price {
  const price = catalogue.prices[id];
  if (price === undefined) throw new CatalogueError(`lib/cost/prices.json has no price "${id}"`);
  return price;
}
