import { z } from "zod";
import { awsAccountId, email, example, hostname, slug, urlPath } from "./common";

/** `golive:app`: who owns the app, where it lives, and which AWS account each environment uses. */
export const appSchema = z.strictObject({
  /** Names resources and tags (`app` tag). */
  name: slug,
  /** Team address: the `owner` tag and the default alert email. */
  owner: email,
  /** The `cost-center` tag, so cost reports split per team and environment. */
  costCenter: slug,
  /** The registrable domain the app is served from (the Cloudflare zone). */
  domain: hostname,
  /** The app's own hostname in this environment. It must sit under `domain`. */
  hostname: hostname,
  /** Health endpoints on the app host, checked by the uptime monitor. */
  healthPath: urlPath.default("/api/health"),
  detailedHealthPath: urlPath.optional(),
  /**
   * Every environment's AWS account. The stack's `aws:allowedAccountIds` must be exactly its own
   * account, and the accounts must differ, so prod can never touch staging's resources (ENV-01).
   */
  awsAccounts: z.strictObject({ staging: awsAccountId, prod: awsAccountId }),
});

/** `golive:changeWindowOverride`: a reasoned, expiring permission to change prod outside the window (ENV-04). */
export const changeWindowOverrideSchema = z.strictObject({
  reason: example(z.string().trim().min(10, "must explain the change in at least 10 characters"), "hotfix"),
  approvedBy: email,
  expiresAt: example(
    z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }),
    "2026-01-01T12:00:00Z",
  ),
});
