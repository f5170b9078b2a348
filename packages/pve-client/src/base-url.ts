// Where the client talks to: a PVE base URL checked (https only, no credentials in it) and split into the
// origin and the /api2/json base path.
import { PveArgumentError } from "./errors.js";

export function parseBaseUrl(
  baseUrl: string,
  injected: boolean,
): { origin: string; basePath: string } {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new PveArgumentError("baseUrl", "not a URL");
  }
  if (url.protocol !== "https:" && !(injected && url.protocol === "http:")) {
    throw new PveArgumentError("baseUrl", "must be https:// (the token would travel in clear)");
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new PveArgumentError("baseUrl", "must not carry credentials, query or fragment");
  }
  const prefix = url.pathname.replace(/\/+$/, "").replace(/\/api2\/json$/, "");
  return { origin: url.origin, basePath: `${prefix}/api2/json` };
}
