/**
 * What a stack holds: a whole environment (the default) or one component of a system whose other
 * parts (alarms, budgets, the audit log...) live in other stacks (`golive:scope: component`). The
 * stack-wide presence items ("an uptime check exists") do not apply to a component stack; checks of
 * what the stack does declare still do.
 */
import type { RawStackConfig } from "./config";

export type StackScope = "environment" | "component";

export const SCOPE_KEY = "golive:scope";

export function stackScope(config: RawStackConfig): StackScope {
  const value = config.get(SCOPE_KEY);
  return typeof value === "string" && value.trim().toLowerCase() === "component"
    ? "component"
    : "environment";
}
