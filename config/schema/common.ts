/**
 * Field types shared by every config area. Each one validates with a library made for the job
 * (ipaddr.js for CIDRs, validator for hostnames, ms for durations) and carries an `example` in its
 * metadata, which the error formatter puts into the `pulumi config set` command it suggests.
 */
import ipaddr from "ipaddr.js";
import ms from "ms";
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

export const hostname = example(
  z.string().refine((value) => isFQDN(value, { require_tld: true, allow_underscores: false }), {
    error: "must be a fully qualified hostname such as app.example.com (no scheme, no path)",
  }),
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

/** A public CIDR block. Supabase rejects private ranges in network restrictions, so we do too. */
export const publicCidr = example(
  z.string().superRefine((value, ctx) => {
    const parsed = parseCidr(value);
    if (!parsed) {
      ctx.addIssue({ code: "custom", message: `"${value}" is not a CIDR block such as 76.76.21.0/24` });
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

/** A duration such as `30s`, `5m`, `2h`, `7d`, converted to milliseconds. */
export const duration = example(
  z.string().transform((value, ctx) => {
    const millis = /^\d+(\.\d+)?\s*(ms|s|m|h|d)$/.test(value.trim())
      ? ms(value.trim() as ms.StringValue)
      : NaN;
    if (!Number.isFinite(millis) || millis <= 0) {
      ctx.addIssue({
        code: "custom",
        message: `"${value}" is not a duration; use a number with a unit: ms, s, m, h or d (e.g. 30s)`,
      });
      return z.NEVER;
    }
    return millis;
  }),
  "30s",
);

/** A Postgres memory size such as `256MB`. */
export const memorySize = example(
  z.string().regex(/^\d+(kB|MB|GB|TB)$/, "must be a Postgres memory size: a number with kB, MB, GB or TB"),
  "256MB",
);

/** A money amount in USD, positive, at most two decimals. */
export const usdAmount = example(
  z
    .number({ error: "must be a number (USD)" })
    .positive("must be greater than 0")
    .refine((value) => Math.round(value * 100) === value * 100, "must have at most two decimals"),
  "500",
);

/** An environment variable name as the app reads it. */
export const envVarName = example(
  z.string().regex(/^[A-Z][A-Z0-9_]*$/, "must be an environment variable name: A-Z, 0-9 and '_'"),
  "STRIPE_SECRET_KEY",
);

export const percentage = z.number().gt(0, "must be above 0").lte(100, "must be at most 100");
