/**
 * Stack config values as the engine hands them to a program or a policy pack: strings, with
 * objects and lists JSON-encoded. Shared by the config loader and the policy pack.
 */

/** The JSON value a config string encodes, or the string itself when it is not a JSON object or list. */
export function decodeConfigValue(raw: string): unknown {
  const trimmed = raw.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}
