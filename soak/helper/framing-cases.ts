// Byte-level attack cases for the helper's framing: random bytes, hostile Content-Length values, extra or
// malformed headers, oversized header blocks, bodies that are not JSON-RPC requests, byte mutations of valid
// frames, partial frames and slow writes. Each says whether the helper must close the connection promptly.
import fc from "fast-check";
import { frame } from "./wire.js";

export interface FramingCase {
  kind: string;
  bytes: Buffer;
  /** Split the bytes into this many writes. */
  pieces: number;
  /** Delay between writes (a slow writer). */
  gapMs: number;
  /** "must": the helper has to close the connection at once (malformed); "may": it may wait (incomplete, or
   * well-framed but not a request it serves). */
  close: "must" | "may";
}

const HELLO = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "helper.hello", params: {} });
const UNKNOWN = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "no.such", params: {} });
const BADPARAMS = JSON.stringify({
  jsonrpc: "2.0",
  id: 3,
  method: "usb.unmount",
  params: { name: "../x" },
});
const bases = [HELLO, UNKNOWN, BADPARAMS];

const c = (
  kind: string,
  bytes: Buffer,
  close: FramingCase["close"],
): Omit<FramingCase, "pieces" | "gapMs"> => ({ kind, bytes, close });

const hostileLength = fc.constantFrom(
  "2000000000",
  "-1",
  "1e3",
  "0x10",
  "",
  " ",
  "99999999999999999999",
  "65537",
  "1048576",
  "NaN",
  "10,10",
  "+5",
  "0",
);

const cases: fc.Arbitrary<Omit<FramingCase, "pieces" | "gapMs">> = fc.oneof(
  fc
    .uint8Array({ minLength: 1, maxLength: 4096 })
    .map((b) => c("random bytes", Buffer.from(b), "may")),
  fc
    .tuple(hostileLength, fc.uint8Array({ maxLength: 200 }))
    .map(([n, b]) =>
      c(
        "hostile Content-Length",
        Buffer.concat([Buffer.from(`Content-Length: ${n}\r\n\r\n`), Buffer.from(b)]),
        "must",
      ),
    ),
  fc
    .tuple(
      fc.constantFrom(
        "Transfer-Encoding: chunked",
        "X-Forwarded-For: 1.2.3.4",
        "Content-Length: 5",
        "content-type: application/json\r\ncontent-type: text/plain",
        "Host: x",
        ": empty",
        "Content-Length 5",
      ),
      fc.constantFrom(...bases),
    )
    .map(([h, body]) =>
      c(
        "extra or malformed header",
        Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\n${h}\r\n\r\n${body}`),
        "must",
      ),
    ),
  fc
    .integer({ min: 1025, max: 8192 })
    .map((n) =>
      c(
        "oversized header block",
        Buffer.from(`Content-Length: 10\r\nContent-Type: ${"x".repeat(n)}\r\n\r\n`),
        "must",
      ),
    ),
  fc
    .integer({ min: 1100, max: 70_000 })
    .map((n) =>
      c("header without an end", Buffer.from(`Content-Length: 1${"a".repeat(n)}`), "must"),
    ),
  fc
    .constantFrom(...bases)
    .map((b) => c("LF-only separators", Buffer.from(`Content-Length: ${b.length}\n\n${b}`), "may")),
  fc
    .constantFrom(
      "{",
      "[]",
      "[1,2]",
      "42",
      "null",
      '"x"',
      "{}",
      '{"jsonrpc":"2.0","id":1,"result":{}}',
      '{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}',
      '{"jsonrpc":"2.0","method":"helper.hello"}',
      '{"jsonrpc":"1.0","id":1,"method":"helper.hello","params":{}}',
      '{"id":1,"method":"helper.hello","params":{}}',
      `[${HELLO},${HELLO}]`,
      `${"[".repeat(20_000)}${"]".repeat(20_000)}`,
      `{"jsonrpc":"2.0","id":1,"method":"helper.hello","params":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`,
      "\u0000\u0000",
    )
    .map((body) => c("framed body that is not a request", frame(body), "may")),
  fc
    .uint8Array({ minLength: 1, maxLength: 1000 })
    .map((b) =>
      c(
        "framed invalid UTF-8 / binary body",
        frame(Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(b)])),
        "may",
      ),
    ),
  fc
    .tuple(
      fc.constantFrom(...bases),
      fc.array(fc.tuple(fc.nat(), fc.nat(255), fc.constantFrom("flip", "insert", "delete")), {
        minLength: 1,
        maxLength: 8,
      }),
    )
    .map(([b, muts]) => {
      const bytes = [...frame(b)];
      for (const [at, v, op] of muts) {
        const i = at % bytes.length;
        if (op === "flip") bytes[i] = v;
        else if (op === "insert") bytes.splice(i, 0, v);
        else bytes.splice(i, 1);
      }
      return c("mutated valid frame", Buffer.from(bytes), "may");
    }),
  fc.tuple(fc.constantFrom(...bases), fc.nat()).map(([b, at]) => {
    const whole = frame(b);
    return c(
      "partial frame, then silence",
      whole.subarray(0, 1 + (at % (whole.length - 1))),
      "may",
    );
  }),
  fc
    .constantFrom(...bases)
    .map((b) =>
      c(
        "valid frame then garbage",
        Buffer.concat([frame(b), Buffer.from("Content-Length: -5\r\n\r\n")]),
        "must",
      ),
    ),
);

/** `n` cases from `seed` (deterministic), with random write splitting and some slow writers. */
export function framingCases(n: number, seed: number): FramingCase[] {
  const split = fc.record({
    pieces: fc.integer({ min: 1, max: 6 }),
    gapMs: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 5, max: 60 })),
  });
  return fc.sample(fc.tuple(cases, split), { numRuns: n, seed }).map(([k, s]) => ({ ...k, ...s }));
}
