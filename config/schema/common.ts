/**
 * Field types shared by every config area. Each one validates with a library made for the job
 * (ipaddr.js for CIDRs, validator for hostnames, ms for durations) and carries an `example` in its
 * metadata, which the error formatter puts into the `pulumi config set` command it suggests.
 */
import ipaddr from "ipaddr.js";
import isFQDN from "validator/lib/isFQDN";
import { z } from "zod";

export const ENVIRONMENTS = ["staging", "prod"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** Attach the value shown in a suggested `pulumi config set` command. */
export function example<T extends z.ZodType>(schema: T, value: string): T {
  return schema.meta({ example: value });
}

/** A lowercase slug: names of apps, organisations, cost centers. */
export const slug = example(
  z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,62}[a-z0-9]$/, "must be a lowercase slug (a-z, 0-9, '-'), 3 to 64 characters"),
  "my-app",
);

export const email = example(z.email({ error: "must be an email address" }), "oncall@example.com");

/** A hostname; DNS names are case-insensitive, so it is kept in lower case (`App.Example.com` is `app.example.com`). */
export const hostname = example(
  z
    .string()
    .refine((value) => isFQDN(value, { require_tld: true, allow_underscores: false }), {
      error: "must be a fully qualified hostname such as app.example.com (no scheme, no path)",
    })
    .transform((value) => value.toLowerCase()),
  "app.example.com",
);

export const httpsUrl = example(
  z.url({ protocol: /^https$/, error: "must be an https:// URL" }),
  "https://app.example.com",
);

/** A URL path on the app host, such as `/api/health`. */
export const urlPath = example(
  z.string().regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, "must be a URL path starting with '/'"),
  "/api/health",
);

/** An AWS account id: exactly 12 digits, kept as a string so leading zeros survive. */
export const awsAccountId = example(
  z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id"),
  "123456789012",
);

export interface ParsedCidr {
  readonly address: string;
  readonly prefix: number;
  readonly range: string;
}

/** Parse an IPv4 or IPv6 CIDR; undefined when it is not one. */
export function parseCidr(value: string): ParsedCidr | undefined {
  if (!value.includes("/")) return undefined;
  try {
    const [address, prefix] = ipaddr.parseCIDR(value);
    return { address: address.toString(), prefix, range: address.range() };
  } catch {
    return undefined;
  }
}

/**
 * The canonical text of a CIDR block (`76.76.21.0/24`, `2606:4700::/32`), or why it is not one.
 * Providers compare ranges as text, so `0x4c.76.21.0/24`, `076.76.21.0/24` or `76.76.21.5/24`
 * (host bits set) would be passed on as written, or refused at deploy.
 */
export function canonicalCidr(value: string): { canonical: string } | { problem: string } {
  const parsed = parseCidr(value);
  if (!parsed) return { problem: `"${value}" is not a CIDR block such as 76.76.21.0/24` };
  const network = ipaddr.parseCIDR(value);
  const kind = network[0].kind();
  const networkAddress =
    kind === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(value).toString()
      : ipaddr.IPv6.networkAddressFromCIDR(value).toString();
  const canonical = `${networkAddress}/${parsed.prefix}`;
  if (networkAddress !== parsed.address) {
    return { problem: `"${value}" has host bits set; the block is ${canonical}` };
  }
  if (canonical !== value.trim().toLowerCase()) {
    return { problem: `"${value}" is not written in canonical form; write ${canonical}` };
  }
  return { canonical };
}

/** A public CIDR block. Supabase rejects private ranges in network restrictions, so we do too. */
export const publicCidr = example(
  z.string().superRefine((value, ctx) => {
    const parsed = parseCidr(value);
    const canonical = canonicalCidr(value);
    if (!parsed || "problem" in canonical) {
      ctx.addIssue({
        code: "custom",
        message: "problem" in canonical ? canonical.problem : `"${value}" is not a CIDR block`,
      });
      return;
    }
    if (parsed.range !== "unicast") {
      ctx.addIssue({
        code: "custom",
        message: `"${value}" is in the ${parsed.range} range; only public (unicast) ranges can be allow-listed`,
      });
    }
  }),
  "76.76.21.0/24",
);

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Postgres keeps timeouts in an int of milliseconds. */
export const POSTGRES_MAX_TIMEOUT_MS = 2_147_483_647;

/** `2147483647 ms (about 24.8 days)`: the limit as written and in a unit a reader knows. */
function describeMillis(millis: number): string {
  const days = millis / UNIT_MS.d;
  if (days >= 1) return `${millis} ms, about ${Number(days.toFixed(1))} days`;
  return `${millis} ms`;
}

/**
 * A duration such as `30s`, `5m`, `2h`, `7d`, converted to whole milliseconds, between 1 ms and
 * `maxMs` (by default Postgres's limit for timeouts, about 24.8 days).
 */
export function boundedDuration(maxMs: number = POSTGRES_MAX_TIMEOUT_MS, limitReason = "Postgres's limit") {
  return example(
    z
      .string({ error: "must be a duration such as 30s (a number with a unit: ms, s, m, h or d)" })
      .transform((value, ctx) => {
        const match = /^(\d{1,40})(?:\.(\d{1,3}))?\s*(ms|s|m|h|d)$/.exec(value.trim());
        if (!match) {
          ctx.addIssue({
            code: "custom",
            message: `"${value}" is not a duration; use a number with a unit: ms, s, m, h or d (e.g. 30s)`,
          });
          return z.NEVER;
        }
        const [, whole, fraction = "", unit] = match;
        // Whole milliseconds from the decimal text: no floating-point rounding.
        const size = UNIT_MS[unit as keyof typeof UNIT_MS];
        const scaled =
          BigInt(whole!) * BigInt(size) + (BigInt(fraction.padEnd(3, "0")) * BigInt(size)) / 1000n;
        const exact = (BigInt(fraction.padEnd(3, "0")) * BigInt(size)) % 1000n === 0n;
        if (!exact || scaled <= 0n) {
          ctx.addIssue({
            code: "custom",
            message: `"${value}" must be a whole number of milliseconds, at least 1ms`,
          });
          return z.NEVER;
        }
        if (scaled > BigInt(maxMs)) {
          ctx.addIssue({
            code: "custom",
            message: `"${value}" is too long: at most ${describeMillis(maxMs)} (${limitReason})`,
          });
          return z.NEVER;
        }
        return Number(scaled);
      }),
    "30s",
  );
}

/** A duration such as `30s`, `5m`, `2h`, `7d`, converted to milliseconds (at most Postgres's limit). */
export const duration = boundedDuration();

/** Postgres keeps memory settings in an int of kB: 2147483647 kB (2 TB) is the most any can be. */
export const POSTGRES_MAX_MEMORY_KB = 2_147_483_647;
const MEMORY_UNIT_KB = { kB: 1n, MB: 1024n, GB: 1024n ** 2n, TB: 1024n ** 3n } as const;

/** A Postgres memory size such as `256MB`, at most Postgres's limit. */
export const memorySize = example(
  z
    .string({ error: "must be a Postgres memory size: a number with kB, MB, GB or TB (e.g. 256MB)" })
    .regex(/^\d{1,40}(kB|MB|GB|TB)$/, "must be a Postgres memory size: a number with kB, MB, GB or TB")
    .refine(
      (value) => {
        const match = /^(\d+)(kB|MB|GB|TB)$/.exec(value);
        // The pattern above reports a value that is not a size at all.
        if (!match) return true;
        const kb = BigInt(match[1]!) * MEMORY_UNIT_KB[match[2] as keyof typeof MEMORY_UNIT_KB];
        return kb >= 1n && kb <= BigInt(POSTGRES_MAX_MEMORY_KB);
      },
      { error: `must be between 1kB and ${POSTGRES_MAX_MEMORY_KB}kB (just under 2TB), Postgres's limit` },
    ),
  "256MB",
);

/** The most a monthly amount may be: far above any one account's bill, it catches typos like 1e308. */
export const MAX_USD = 100_000_000;

/**
 * A USD amount as its decimal text: a number or a string such as `19.99`, positive, at most two
 * decimals and at most MAX_USD. Checked on the text, never by float arithmetic (`32.3 * 100` is
 * `3229.9999999999995`). The value is kept as a number, which holds any two-decimal amount exactly
 * enough for `toFixed(2)`; `usdCents` gives the integer cents for comparisons.
 */
export const usdAmount = example(
  z
    .union([z.number(), z.string()], { error: "must be an amount in USD, such as 500 or 19.99" })
    .transform((value, ctx) => {
      if (typeof value === "number" && value > MAX_USD) {
        ctx.addIssue({ code: "custom", message: `${value} is too large: at most ${MAX_USD} USD` });
        return z.NEVER;
      }
      const text = typeof value === "number" ? String(value) : value.trim();
      const match = /^(\d{1,15})(?:\.(\d{1,2}))?$/.exec(text);
      if (!match) {
        ctx.addIssue({
          code: "custom",
          message: /^\d+\.\d{3,}$/.test(text)
            ? `${text} has more than two decimals; give whole cents, such as 19.99`
            : `${text} is not an amount in USD; give a positive number with at most two decimals, such as 19.99`,
        });
        return z.NEVER;
      }
      const cents = BigInt(match[1]!) * 100n + BigInt((match[2] ?? "").padEnd(2, "0"));
      if (cents === 0n) {
        ctx.addIssue({ code: "custom", message: "must be greater than 0" });
        return z.NEVER;
      }
      if (cents > BigInt(MAX_USD) * 100n) {
        ctx.addIssue({ code: "custom", message: `${text} is too large: at most ${MAX_USD} USD` });
        return z.NEVER;
      }
      return Number(`${match[1]}.${(match[2] ?? "").padEnd(2, "0")}`);
    }),
  "500",
);

/** Integer cents of an amount `usdAmount` accepted (exact: the amount has at most two decimals). */
export function usdCents(amount: number): number {
  const [whole, fraction = ""] = amount.toFixed(2).split(".");
  return Number(whole) * 100 + Number(fraction);
}

/** An environment variable name as the app reads it. */
export const envVarName = example(
  z.string().regex(/^[A-Z][A-Z0-9_]*$/, "must be an environment variable name: A-Z, 0-9 and '_'"),
  "STRIPE_SECRET_KEY",
);
