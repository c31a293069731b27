/** Text helpers: colour stripping and Markdown/HTML escaping. */

// Pulumi's `colors.Raw` markup, e.g. `<{%fg 2%}>`, `<{%reset%}>`.
const PULUMI_COLOR_MARKUP = /<\{%[^%]*%\}>/g;
// CSI sequences (colours, cursor moves) and OSC sequences (hyperlinks, titles).
// eslint-disable-next-line no-control-regex
const ANSI_CSI = /\u001b\[[0-?]*[ -/]*[@-~]/g;
// eslint-disable-next-line no-control-regex
const ANSI_OSC = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;
// Other control characters except tab and newline.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** Removes Pulumi colour markup, ANSI escape sequences and control characters. */
export function stripColors(text: string): string {
  return text
    .replace(PULUMI_COLOR_MARKUP, "")
    .replace(ANSI_OSC, "")
    .replace(ANSI_CSI, "")
    .replace(/\r\n?/g, "\n")
    .replace(CONTROL_CHARS, "");
}

/** Collapses all whitespace (newlines included) to single spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Cuts `text` to at most `max` characters, ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return "…".slice(0, max);
  let end = max - 1;
  // Do not split a surrogate pair.
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Escapes free text for Markdown (also safe inside a table cell). */
export function escapeMarkdown(text: string): string {
  return oneLine(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|~]/g, "\\$&");
}

/** An inline code span holding `text` verbatim, for a table cell (pipes escaped for the table). */
export function codeSpan(text: string): string {
  return inlineCode(text.replace(/\|/g, "\\|"));
}

/**
 * An inline code span holding `text` verbatim, outside tables (there a backslash before a pipe
 * would show).
 */
export function inlineCode(text: string): string {
  const flat = text.replace(/\r?\n/g, " ");
  let longestRun = 0;
  for (const run of flat.match(/`+/g) ?? []) longestRun = Math.max(longestRun, run.length);
  const fence = "`".repeat(longestRun + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat.trim() === "" ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A Markdown table. Cells must already be escaped (see `escapeMarkdown`, `codeSpan`). */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Compares strings by UTF-16 code units: stable across locales, unlike `localeCompare`. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `name@version`; a pack the engine sent without a name or version says so instead of "`@`". */
export function packLabel(name: string, version: string): string {
  const shownName = name.trim() === "" ? "(unnamed pack)" : name;
  return version.trim() === "" ? shownName : `${shownName}@${version}`;
}
