// Small pieces of request handling: URI unescaping, bounded body reading, secret redaction, status texts.
import type { IncomingMessage } from "node:http";

export function uriUnescape(path: string): string {
  if (!path.includes("%")) return path;
  const bytes = path.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) =>
    String.fromCharCode(parseInt(h, 16)),
  );
  return Buffer.from(bytes, "latin1").toString("utf8");
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.destroy();
        reject(new Error("body exceeds its Content-Length"));
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
    req.on("aborted", () => reject(new Error("aborted")));
  });
}

/** Parameters that carry secrets are never recorded (guest passwords, cloud-init passwords). */
const SECRET_PARAMS = new Set(["password", "cipassword", "tfa-secret", "token", "secret"]);
export function redact(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) out[k] = SECRET_PARAMS.has(k) ? "[redacted]" : v;
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Reason phrases for injected status faults (59x are pveproxy's AnyEvent::HTTP pseudo codes). */
export function defaultStatusText(status: number): string {
  const known: Record<number, string> = {
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    595: "Connection refused",
    596: "tls_process_server_certificate: certificate verify failed",
    599: "Too many redirections",
  };
  return known[status] ?? `Status ${status}`;
}
