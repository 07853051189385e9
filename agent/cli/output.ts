/**
 * The one place the CLI and agent print. Much of what they print comes from the server (run names,
 * log lines, error messages), and a terminal obeys control sequences in it: OSC titles, screen
 * clears, hyperlinks, even (in some terminals) input injection. So every line is made inert here.
 */

// C0 controls except \t and \n, DEL, and C1 controls (U+0080–U+009F, which some terminals read as ESC + letter).
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** The text with every terminal control character removed but tabs and newlines. */
export const terminalSafe = (text: string) => text.replace(CONTROLS, "");

/** Prints a line (server text welcome) to stdout. */
export function print(text = "") {
  process.stdout.write(terminalSafe(text) + "\n");
}

/** Prints a line (server text welcome) to stderr. */
export function printError(text: string) {
  process.stderr.write(terminalSafe(text) + "\n");
}

/** Prints rows as an aligned table with a header, or "none" text when there are none. */
export function printTable(rows: Record<string, unknown>[], columns: [key: string, header: string][], empty: string) {
  if (rows.length === 0) {
    print(empty);
    return;
  }
  // Cleaned before measuring, so removed characters do not skew the columns; a cell is one line.
  const cells = rows.map((r) => columns.map(([k]) => (r[k] === null || r[k] === undefined ? "-" : terminalSafe(String(r[k])).replace(/[\n\t]/g, " "))));
  const widths = columns.map(([, h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]))).join("  ");
  print(line(columns.map(([, h]) => h.toUpperCase())));
  for (const c of cells) print(line(c));
}

/**
 * Pretty JSON. JSON.stringify already escapes C0 controls; C1 controls are escaped too (not
 * removed), so the data a script reads is unchanged.
 */
export function printJson(value: unknown) {
  process.stdout.write(JSON.stringify(value, null, 2).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) + "\n");
}

export function ago(iso: string | null): string {
  if (!iso) return "-";
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  const abs = Math.abs(s);
  const text = abs < 60 ? `${abs}s` : abs < 3600 ? `${Math.round(abs / 60)}m` : abs < 86_400 ? `${Math.round(abs / 3600)}h` : `${Math.round(abs / 86_400)}d`;
  return s >= 0 ? `${text} ago` : `in ${text}`;
}
