// The logger: the Authorization header and secret fields are redacted by configuration, and a registered secret
// is scrubbed from any line even where no redaction path reaches it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { createLogger, SecretScrubber } from "../src/log.js";

const SECRET = "0f8e4c1a-2b3d-4e5f-8a9b-c0d1e2f3a4b5";

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, text: () => chunks.join("") };
}

test("log – the Authorization header and secret fields are redacted at trace level", () => {
  const out = capture();
  const log = createLogger({ level: "trace", destination: out.stream });
  const header = `PVEAPIToken=felhom@pve!agent=${SECRET}`;
  log.trace({ headers: { authorization: header } }, "request");
  log.trace({ req: { headers: { Authorization: header } } }, "request");
  log.debug({ authorization: header, token: { id: "felhom@pve!agent", secret: SECRET } }, "token");
  log.info({ secret: SECRET, nested: { tokenSecret: SECRET } }, "fields");
  const text = out.text();
  const lines = text.trim().split("\n");
  assert.equal(lines.length, 4);
  for (const line of lines) JSON.parse(line);
  assert.ok(!text.includes(SECRET), "secret never written");
  assert.ok(!text.includes("PVEAPIToken"), "header value never written");
  assert.ok(text.includes("[redacted]"));
  assert.ok(text.includes("felhom@pve!agent"), "non-secret fields are kept");
});

test("log – a registered secret is scrubbed from messages and unredacted fields", () => {
  const out = capture();
  const scrubber = new SecretScrubber();
  scrubber.add(SECRET);
  const log = createLogger({ level: "trace", destination: out.stream, scrubber });
  log.error({ detail: `upstream said ${SECRET}` }, `failed with ${SECRET}`);
  log.warn({ list: [SECRET, { deep: { deeper: SECRET } }] }, "list");
  log.info(new Error(`boom ${SECRET}`), "error object");
  const text = out.text();
  assert.ok(!text.includes(SECRET));
  // message, detail, two list entries, the error's message and its stack: each one scrubbed.
  assert.ok(text.split("[redacted]").length - 1 >= 5);
});

test("log – short values are not registered as secrets (they would match by chance)", () => {
  const scrubber = new SecretScrubber();
  scrubber.add("abc");
  assert.equal(scrubber.scrub('{"msg":"abc"}'), '{"msg":"abc"}');
});
