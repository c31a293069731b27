/**
 * What the Hosting component writes to the app's host, as pure rules: which variables, and which
 * of them are sensitive (server secrets) or plain (client-exposed).
 */
import { isClientExposedName } from "./client-vars";

export interface HostingVariable {
  readonly key: string;
  /** Server secrets are written sensitive (write-only in Vercel); client variables plain. */
  readonly sensitive: boolean;
}

/**
 * The host's variables, sorted by name for a stable diff. A server secret with a client prefix would
 * be bundled into the client (SEC-03): config validation refuses it, and this refuses it again.
 */
export function hostingVariables(
  serverSecrets: readonly string[],
  publicVariables: readonly string[],
): HostingVariable[] {
  const variables = new Map<string, HostingVariable>();
  for (const key of serverSecrets) {
    if (isClientExposedName(key)) {
      throw new Error(
        `server secret ${key} has a client-exposed name; it cannot be written to the host (SEC-03)`,
      );
    }
    variables.set(key, { key, sensitive: true });
  }
  for (const key of publicVariables) {
    if (variables.has(key)) throw new Error(`${key} is both a server secret and a public variable`);
    variables.set(key, { key, sensitive: false });
  }
  return [...variables.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
