// The secret scan: every captured surface (log lines, error texts, files, child output, helper answers) is
// searched for the token secret in the forms it could leak in, and counted, so the report can say what was read.
import { Writable } from "node:stream";

export interface SurfaceTally {
  surface: string;
  items: number;
  bytes: number;
}

export interface Leak {
  surface: string;
  /** The text around the hit with the secret itself masked, for the report. */
  context: string;
}

export class SecretScan {
  readonly #needles: string[];
  readonly #tallies = new Map<string, SurfaceTally>();
  readonly leaks: Leak[] = [];

  /** `secret`: the raw token secret; its JSON-escaped, URL-encoded and base64 forms are searched too. */
  constructor(secret: string) {
    if (secret.length < 8) throw new Error("secret scan: the secret is too short to search for");
    const forms = [
      secret,
      JSON.stringify(secret).slice(1, -1),
      encodeURIComponent(secret),
      Buffer.from(secret).toString("base64").slice(0, -2),
    ];
    this.#needles = [...new Set(forms)];
  }

  /** Scans one item (a line, an error text, a file) found on `surface`. */
  scan(surface: string, text: string): void {
    const t = this.#tallies.get(surface) ?? { surface, items: 0, bytes: 0 };
    t.items++;
    t.bytes += Buffer.byteLength(text);
    this.#tallies.set(surface, t);
    for (const needle of this.#needles) {
      const at = text.indexOf(needle);
      if (at === -1) continue;
      const context = text.slice(Math.max(0, at - 80), at + needle.length + 80);
      if (this.leaks.length < 20)
        this.leaks.push({ surface, context: context.split(needle).join("<SECRET>") });
    }
  }

  /** A sink that scans everything written to it line by line and keeps nothing (for pino and child output). */
  stream(surface: string): Writable {
    let partial = "";
    return new Writable({
      write: (chunk: Buffer | string, _enc, done) => {
        const lines = (partial + chunk.toString()).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) if (line !== "") this.scan(surface, line);
        done();
      },
      final: (done) => {
        if (partial !== "") this.scan(surface, partial);
        partial = "";
        done();
      },
    });
  }

  get tallies(): SurfaceTally[] {
    return [...this.#tallies.values()];
  }

  get totalBytes(): number {
    return this.tallies.reduce((n, t) => n + t.bytes, 0);
  }
}
