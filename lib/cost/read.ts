/** Tolerant readers of resource inputs: a value unknown until apply reads as absent. */

export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function str(value: unknown, ...path: string[]): string | undefined {
  const found = field(value, ...path);
  return typeof found === "string" && found !== "[unknown]" && found !== "[secret]" ? found : undefined;
}

/** A number, or a string holding one (AWS takes `"1024"` for task CPU, `"300.00"` for a budget). */
export function num(value: unknown, ...path: string[]): number | undefined {
  const found = field(value, ...path);
  if (typeof found === "number" && Number.isFinite(found)) return found;
  if (typeof found === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(found)) return Number(found);
  return undefined;
}

export function bool(value: unknown, ...path: string[]): boolean | undefined {
  const found = field(value, ...path);
  return typeof found === "boolean" ? found : undefined;
}

export function list(value: unknown, ...path: string[]): unknown[] {
  const found = field(value, ...path);
  return Array.isArray(found) ? found : [];
}

/** Every string inside a value (environment variables, nested targets). */
export function strings(value: unknown, into: string[] = []): string[] {
  if (typeof value === "string") into.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, into);
  else if (value !== null && typeof value === "object")
    for (const item of Object.values(value)) strings(item, into);
  return into;
}

/** A JSON-encoded object input (Supabase Management bodies), or undefined. */
export function jsonObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
