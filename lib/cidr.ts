/**
 * How wide an allow-list entry may be. An allow-list is a list of the app's own addresses: a range
 * wider than /16 (IPv4) or /32 (IPv6) is not one. Shared by the config schema (prod refuses it) and
 * the policy pack (EDGE-05, DB-05).
 */
import ipaddr from "ipaddr.js";

/** The shortest prefixes an address list may hold and still be a list of addresses. */
export const MIN_ALLOW_LIST_PREFIX = { ipv4: 16, ipv6: 32 } as const;

/** Why an address (`1.2.3.4`, `10.0.0.0/8`, `2001:db8::/32`) admits too much, or undefined. */
export function broadAddress(entry: string): string | undefined {
  try {
    const [address, prefix] = entry.includes("/")
      ? ipaddr.parseCIDR(entry)
      : ([ipaddr.parse(entry), Number.POSITIVE_INFINITY] as const);
    if (prefix === 0) return `${entry} admits every address`;
    const minimum = MIN_ALLOW_LIST_PREFIX[address.kind()];
    return prefix < minimum ? `${entry} is wider than /${minimum}` : undefined;
  } catch {
    return undefined;
  }
}
