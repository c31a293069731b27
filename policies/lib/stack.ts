/**
 * Stack-level knowledge shared by several areas: which buckets hold database backups, which log
 * groups are audit logs, what a Supabase Management API setting resource asks for.
 */
import type { ResourceView } from "./define";
import { effectiveTags, str } from "./props";
import { T } from "./types";
import { UNKNOWN } from "./unknowns";

export const POOLER_PATH = "/config/database/pooler";
export const ADDONS_PATH = "/billing/addons";

export type ManagementBody =
  { kind: "unknown" } | { kind: "invalid" } | { kind: "object"; value: Record<string, unknown> };

export function managementPath(resource: Pick<ResourceView, "props">): string | undefined {
  const path = str(resource.props, "path");
  return path === UNKNOWN ? undefined : path;
}

export function managementBody(resource: Pick<ResourceView, "props">): ManagementBody {
  const body = str(resource.props, "body");
  if (body === UNKNOWN) return { kind: "unknown" };
  if (body === undefined) return { kind: "invalid" };
  try {
    const parsed = JSON.parse(body) as unknown;
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? { kind: "object", value: parsed as Record<string, unknown> }
      : { kind: "invalid" };
  } catch {
    return { kind: "invalid" };
  }
}

const tokens = (text: string) => text.toLowerCase().split(/[^a-z0-9]+/);

/** A bucket for database backups: named or tagged so (`*-db-backups`, purpose=backups). */
export function isBackupBucket(
  resource: Pick<ResourceView, "type" | "name" | "props" | "provider">,
): boolean {
  if (resource.type !== T.bucket && resource.type !== T.bucketV2) return false;
  const bucket = str(resource.props, "bucket");
  const prefix = str(resource.props, "bucketPrefix");
  const names = [
    resource.name,
    typeof bucket === "string" ? bucket : "",
    typeof prefix === "string" ? prefix : "",
  ];
  if (names.some((name) => tokens(name).some((token) => token === "backup" || token === "backups")))
    return true;
  const purpose = effectiveTags(resource).values.get("purpose");
  return typeof purpose === "string" && /backup/i.test(purpose);
}

/** An audit log group: tagged log-class=audit, or named `…/audit` / `…-audit`. */
export function isAuditLogGroup(
  resource: Pick<ResourceView, "type" | "name" | "props" | "provider">,
): boolean {
  if (resource.type !== T.logGroup) return false;
  const logClass = effectiveTags(resource).values.get("log-class");
  if (typeof logClass === "string") return logClass.toLowerCase() === "audit";
  const name = str(resource.props, "name");
  const candidates = [resource.name, typeof name === "string" ? name : ""];
  return candidates.some((candidate) => /[/_-]audit$/i.test(candidate));
}
