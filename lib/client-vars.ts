/**
 * Variables a bundler exposes to the browser or the mobile client, by name prefix. Shared by the
 * config schema (a server secret may not be named like this) and the policy pack (SEC-03).
 */
export const CLIENT_EXPOSED_PREFIXES = [
  "NEXT_PUBLIC_",
  "EXPO_PUBLIC_",
  "VITE_",
  "PUBLIC_",
  "REACT_APP_",
  "NUXT_PUBLIC_",
] as const;

export function isClientExposedName(name: string): boolean {
  return CLIENT_EXPOSED_PREFIXES.some((prefix) => name.startsWith(prefix));
}
