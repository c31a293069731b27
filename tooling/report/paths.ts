/**
 * Pulumi property paths, as used in `detailedDiff`: `tags.Environment`, `ingress[0].fromPort`,
 * `["key.with.dots"]`, `a["b"][2]`, `triggers[*]`.
 */

export type PathSegment = string | number;

/** Parses a property path. Returns undefined when the path is malformed. */
export function parsePropertyPath(path: string): PathSegment[] | undefined {
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < path.length) {
    const char = path[i];
    if (char === "[") {
      if (path[i + 1] === '"') {
        // A quoted key: read a JSON string up to its closing quote.
        let j = i + 2;
        while (j < path.length && path[j] !== '"') j += path[j] === "\\" ? 2 : 1;
        if (j >= path.length || path[j + 1] !== "]") return undefined;
        let key: unknown;
        try {
          key = JSON.parse(path.slice(i + 1, j + 1));
        } catch {
          return undefined;
        }
        if (typeof key !== "string") return undefined;
        segments.push(key);
        i = j + 2;
      } else {
        const close = path.indexOf("]", i);
        if (close < 0) return undefined;
        const inner = path.slice(i + 1, close);
        if (inner === "*") segments.push("*");
        else if (/^\d+$/.test(inner)) segments.push(Number(inner));
        else return undefined;
        i = close + 1;
      }
      if (path[i] === ".") i += 1;
    } else {
      let j = i;
      while (j < path.length && path[j] !== "." && path[j] !== "[") j += 1;
      if (j === i) return undefined;
      segments.push(path.slice(i, j));
      i = j;
      if (path[i] === ".") {
        i += 1;
        if (i === path.length) return undefined;
      }
    }
  }
  return segments.length > 0 ? segments : undefined;
}

/** Formats segments back into a Pulumi property path. */
export function formatPropertyPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment) || segment === "*")
      out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Joins a base path and a relative path (either may be empty). */
export function joinPaths(base: string, relative: readonly PathSegment[]): string {
  if (relative.length === 0) return base;
  const tail = formatPropertyPath(relative);
  if (base === "") return tail;
  return tail.startsWith("[") ? `${base}${tail}` : `${base}.${tail}`;
}

/** The top-level property name of a path (its first key), or the whole path when malformed. */
export function topLevelKey(path: string): string {
  const first = parsePropertyPath(path)?.[0];
  return typeof first === "string" ? first : path;
}

/** The last key of a path that is a name (not an index), used for name-based masking. */
export function lastKeyName(path: string): string | undefined {
  const segments = parsePropertyPath(path) ?? [path];
  for (let i = segments.length - 1; i >= 0; i -= 1) {
    const segment = segments[i];
    if (typeof segment === "string") return segment;
  }
  return undefined;
}
