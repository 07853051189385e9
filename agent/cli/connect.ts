import { ApiClient } from "../client/api-client";
import { resolveConnection, type Connection } from "../config/profiles";
import { CliError } from "./errors";
import { VERSION } from "./version";

/** The API client of the current profile (or BATON_API_URL + BATON_API_KEY), or a clear error. */
export function connect(): { client: ApiClient; connection: Connection } {
  const connection = resolveConnection();
  if (!connection) throw new CliError("Not logged in. Run `baton login` (or set BATON_API_URL and BATON_API_KEY).");
  return { client: new ApiClient(connection.url, connection.key, `baton-cli/${VERSION}`), connection };
}
