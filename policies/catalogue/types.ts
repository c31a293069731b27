/**
 * The type catalogue: for each concern a checklist item reads (variables, TLS, proxying, retention,
 * tags, KMS keys, stateful data, databases), which resource types of each provider express it and
 * through which input paths, and which types carry the shape but are deliberately out of scope,
 * with the reason. One file per provider (aws.ts, cloudflare.ts, ...): a provider added later is
 * one new file listed in index.ts. test/policies/catalogue.test.ts scans the installed SDKs'
 * type definitions for each concern's shape and fails on a type that is neither covered nor out of
 * scope, so a provider upgrade cannot silently open a hole.
 */
import type { ChecklistId } from "../lib/checklist";

export const CONCERN_NAMES = [
  "variables",
  "tls",
  "proxied",
  "retention",
  "tags",
  "kmsKey",
  "stateful",
  "database",
] as const;

export type Concern = (typeof CONCERN_NAMES)[number];

export interface ConcernSpec {
  /** The checklist items that read this concern. */
  readonly items: readonly ChecklistId[];
  readonly description: string;
  /** An input property path (dotted, nested input types resolved) of this shape expresses the concern. */
  readonly path?: RegExp;
  /** A type whose class name has this shape expresses the concern (stateful stores without a protection input). */
  readonly className?: RegExp;
}

export const CONCERNS: Readonly<Record<Concern, ConcernSpec>> = {
  variables: {
    items: ["SEC-01", "SEC-02", "SEC-03", "SEC-05", "SEC-07", "ENV-02", "CRON-02"],
    description: "environment variables, bindings and secret text handed to running code",
    path: /(^|\.)(environment|environmentVariables?|envVars?|envs|variables|secrets|secretText|bindings|containerDefinitions)$/,
  },
  tls: {
    items: ["EDGE-01", "EDGE-02"],
    description: "the TLS version or security policy of an endpoint",
    path: /(^|\.)(minTlsVersion|minimumProtocolVersion|tlsVersion|sslPolicy|securityPolicy|minTls|tlsPolicy|tls)$/,
  },
  proxied: {
    items: ["EDGE-08"],
    description: "whether a hostname is served through the CDN proxy",
    path: /^proxied$/,
  },
  retention: {
    items: ["ALERT-07"],
    description: "how long logs are kept",
    path: /(^|\.)retentionInDays$/,
  },
  tags: {
    items: ["ENV-03"],
    description: "cost-allocation tags",
    path: /^tags$/,
  },
  kmsKey: {
    items: ["SEC-04", "ALERT-06"],
    description: "the KMS key data is encrypted with",
    path: /^(kmsKeyId|kmsKeyArn|kmsMasterKeyId)$/,
  },
  stateful: {
    items: ["OPS-01", "DB-04"],
    description: "data a deploy must never delete or replace",
    path: /^(deletionProtection|deletionProtectionEnabled|skipFinalSnapshot|forceDestroy|recoveryWindowInDays|deletionWindowInDays)$/,
    className:
      /:(?:[A-Za-z0-9]*)(Bucket|Table|Database|Queue|FileSystem|Secret|Vault|Ledger|Stream|KvNamespace|Volume|DbInstance|DbCluster)$/,
  },
  database: {
    items: ["DB-05"],
    description: "a database endpoint that can be opened to the internet",
    path: /^publiclyAccessible$/,
  },
};

/** A covered type: the input paths the pack reads for the concern, and how. */
export interface Covered {
  readonly paths: readonly string[];
  /** How the pack reads it, when not obvious from the paths. */
  readonly note?: string;
  /**
   * The resource is itself one variable (Vercel's ProjectEnvironmentVariable): the input holding its
   * name, and the input that makes its value a secret's place when true (`sensitive`).
   */
  readonly rootVariable?: { readonly name: string; readonly secretWhen?: string };
}

/** Types that carry a concern's shape but are not what the checklist item is about, and why. */
export interface OutOfScope {
  readonly reason: string;
  readonly types: readonly string[];
}

export interface ProviderCatalogue {
  /** The package name prefix of its type tokens (`aws`, `cloudflare`). */
  readonly provider: string;
  /** The SDK the tokens come from, relative to the repository root (scanned by the catalogue test). */
  readonly sdk: string;
  readonly covered: { readonly [C in Concern]?: Readonly<Record<string, Covered>> };
  readonly outOfScope: { readonly [C in Concern]?: readonly OutOfScope[] };
  /**
   * Types whose output is a generated value (SEC-02/05, and provenance for the secret classifier):
   * the output property, and whether it is a secret wherever it goes ("always") or only where it is
   * used as one ("byUse": a value, not part of a name).
   */
  readonly generators?: Readonly<
    Record<string, { readonly output: string; readonly secret: "always" | "byUse" }>
  >;
  /** Generator-shaped types that never make a secret, and why. */
  readonly notGenerators?: readonly OutOfScope[];
  /** Types that rotate what depends on them (SEC-05). */
  readonly rotation?: Readonly<Record<string, Covered>>;
}

/** Shorthand for a covered entry. */
export function paths(...read: string[]): Covered {
  return { paths: read };
}
