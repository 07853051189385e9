/** The host name of a Host header: "localhost:3000" → "localhost", "[::1]:3000" → "[::1]"; junk → "". */
export function hostnameOf(host: string | undefined): string {
  try {
    return new URL(`http://${host ?? ""}`).hostname;
  } catch {
    return "";
  }
}
