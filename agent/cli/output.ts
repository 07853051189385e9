/** Prints rows as an aligned table with a header, or "none" text when there are none. */
export function printTable(rows: Record<string, unknown>[], columns: [key: string, header: string][], empty: string) {
  if (rows.length === 0) {
    console.log(empty);
    return;
  }
  const cells = rows.map((r) => columns.map(([k]) => (r[k] === null || r[k] === undefined ? "-" : String(r[k]))));
  const widths = columns.map(([, h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]))).join("  ");
  console.log(line(columns.map(([, h]) => h.toUpperCase())));
  for (const c of cells) console.log(line(c));
}

export const printJson = (value: unknown) => console.log(JSON.stringify(value, null, 2));

export function ago(iso: string | null): string {
  if (!iso) return "-";
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  const abs = Math.abs(s);
  const text = abs < 60 ? `${abs}s` : abs < 3600 ? `${Math.round(abs / 60)}m` : abs < 86_400 ? `${Math.round(abs / 3600)}h` : `${Math.round(abs / 86_400)}d`;
  return s >= 0 ? `${text} ago` : `in ${text}`;
}
