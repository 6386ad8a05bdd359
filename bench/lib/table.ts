// Plain-text tables for the benchmark report: one per benchmark, then the ratios.

export type Cell = string | number | boolean | undefined | null;

function show(cell: Cell): string {
  if (cell === undefined || cell === null) return "-";
  if (typeof cell === "boolean") return cell ? "yes" : "no";
  return String(cell);
}

/** Render `rows` under `headers`, numbers right-aligned, with a title line above. */
export function formatTable(title: string, headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => row.map(show));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? "").length)));
  const numeric = headers.map((_, i) =>
    rows.every((r) => r[i] == null || /^(-?\d+(\.\d+)?|-)$/.test(String(r[i]))),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [
    `\n${title}`,
    line(headers),
    line(widths.map((w) => "-".repeat(w))),
    ...text.map(line),
  ].join("\n");
}

export const mb = (bytes: number): number => Math.round((bytes / (1024 * 1024)) * 10) / 10;
export const ms = (n: number): number => Math.round(n);
/** A ratio with two decimals, as text so that 1 prints as "1.00". */
export const ratio = (n: number): string => n.toFixed(2);

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
