/**
 * Offline placeholders: what an offline plan runs with where a value cannot be known (an operator
 * secret that is not set, or a `secure:` value that cannot be decrypted without the stack's key).
 * Every placeholder carries the mark, so config checks can treat it as "set, value unknown" and
 * leave the value checks to the deploy-time run, which sees the real value.
 */

/** Marks every placeholder so it can never be mistaken for, or deployed as, a real value. */
export const PLACEHOLDER_MARK = "golive-placeholder";

/** Whether a config value is an offline placeholder rather than a real value. */
export function isPlaceholder(value: unknown): value is string {
  return typeof value === "string" && value.includes(PLACEHOLDER_MARK);
}

/** The placeholder of an encrypted (`secure:`) value at a config key path. */
export function encryptedPlaceholder(key: string): string {
  return `${PLACEHOLDER_MARK}:${key}`;
}
