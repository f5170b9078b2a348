// Request parameters as pveproxy extracts them (PVE::APIServer::AnyEvent extract_params / decode_urlencoded):
// form bodies and JSON bodies for POST/PUT, the query string on top, and PVE's failure texts for bad bodies.
import { dieError, type PveApiError } from "../errors.js";

export type RawParams = Record<string, unknown>;

const pctDecode = (s: string): string =>
  s
    .replace(/\+/g, " ")
    .replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

/** decode_urlencoded: '&' or ';' separated, '+' is a space, repeated keys become arrays. */
export function decodeUrlencoded(data: string): RawParams {
  const res: RawParams = {};
  if (!data) return res;
  for (const kv of data.split(/[&;]/)) {
    // Perl's `my ($k, $v) = split(/=/, $kv)`: a value is cut at its second '=', trailing empties vanish.
    const fields = kv.split("=");
    while (fields.length > 0 && fields[fields.length - 1] === "") fields.pop();
    if (fields.length === 0) continue;
    const key = pctDecode(fields[0] ?? "");
    let value: unknown;
    if (fields.length > 1) {
      value = Buffer.from(pctDecode(fields[1] ?? ""), "latin1").toString("utf8");
      const old = res[key];
      if (old !== undefined)
        value = Array.isArray(old) ? [...(old as unknown[]), value] : [old, value];
    }
    res[key] = value;
  }
  return res;
}

/** parse_content_type: the media type before any ';' or ','. */
export function mediaType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  return contentType.split(/\s*[;,]\s*/)[0];
}

/** A JSON body as decode_json sees it; failures carry JSON::XS-like texts (answered as bodyless 500s). */
function decodeJson(body: string): RawParams | PveApiError {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    const pos = Number(
      /position (\d+)/.exec(String(err))?.[1] ?? (body.length === 0 ? 0 : body.length),
    );
    const rest = body.slice(pos, pos + 20);
    return dieError(
      `malformed JSON string, neither tag, array, object, number, string or atom, at character offset ${pos} (before "${rest || "(end of string)"}") at /usr/share/perl5/PVE/APIServer/AnyEvent.pm line 934.\n`,
    );
  }
  if (Array.isArray(value))
    return dieError(
      "Not a HASH reference at /usr/share/perl5/PVE/APIServer/AnyEvent.pm line 961.\n",
    );
  if (value === null || typeof value !== "object")
    return dieError(
      "JSON text must be an object or array (but found number, string, true, false or null, use allow_nonref to allow this) at /usr/share/perl5/PVE/APIServer/AnyEvent.pm line 934.\n",
    );
  return value as RawParams;
}

/** extract_params: body parameters for POST/PUT (JSON or form), then the query string overriding them. */
export function extractParams(
  method: string,
  contentType: string | undefined,
  body: Buffer,
  query: string,
): RawParams | PveApiError {
  let params: RawParams = {};
  if (method === "POST" || method === "PUT") {
    if (mediaType(contentType) === "application/json") {
      const decoded = decodeJson(body.toString("utf8"));
      if (!(decoded instanceof Error)) params = decoded;
      else return decoded;
    } else {
      params = decodeUrlencoded(body.toString("latin1"));
    }
  }
  for (const [k, v] of Object.entries(decodeUrlencoded(query))) params[k] = v;
  delete params._dc;
  return params;
}
