// Preloaded (--import) by loaded-code.mjs into the measured process: collects every JavaScript file it loads (ES
// modules through loader hooks, CommonJS from require.cache) and writes the list to $LOADED_CODE_OUT at exit.
import { createRequire, register } from "node:module";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";

const out = process.env.LOADED_CODE_OUT;
delete process.env.LOADED_CODE_OUT;
const urls = new Set();
const { port1, port2 } = new MessageChannel();
port1.on("message", (url) => urls.add(url));
port1.unref();
register("./loaded-code-hooks.mjs", import.meta.url, {
  data: { port: port2 },
  transferList: [port2],
});
process.on("exit", () => {
  const files = new Set(Object.keys(createRequire(import.meta.url).cache));
  for (const url of urls) if (url.startsWith("file:")) files.add(fileURLToPath(url));
  files.delete(fileURLToPath(import.meta.url));
  if (out) writeFileSync(out, JSON.stringify([...files].sort()));
});
