// Preload (node --import) for the run-time fence test: every network API of Node throws in this process, and
// each attempt is recorded in $FENCE_LOG. Unix-socket connections and listeners (the helper's own) stay allowed.
import { createRequire, register, syncBuiltinESMExports } from "node:module";
import { record, denied } from "./record.mjs";

record("preload loaded: deny-network");

const require = createRequire(import.meta.url);
const FORBIDDEN_MODULES = ["http", "https", "http2", "tls", "dgram", "undici"];

const replace = (mod, name, fns) => {
  for (const fn of fns) if (typeof mod[fn] === "function") mod[fn] = denied(`${name}.${fn}`);
};
replace(require("node:http"), "http", ["request", "get", "createServer"]);
replace(require("node:https"), "https", ["request", "get", "createServer"]);
replace(require("node:http2"), "http2", ["connect", "createServer", "createSecureServer"]);
replace(require("node:tls"), "tls", ["connect", "createServer"]);
replace(require("node:dgram"), "dgram", ["createSocket"]);
replace(require("node:dns"), "dns", ["lookup", "resolve", "resolve4", "resolve6"]);
for (const g of ["fetch", "WebSocket", "EventSource"]) {
  if (typeof globalThis[g] === "function") globalThis[g] = denied(`globalThis.${g}`);
}

// node:net stays (Unix sockets), but any TCP connect or listen is refused.
const net = require("node:net");
const isPath = (a) =>
  typeof a === "string" || (a !== null && typeof a === "object" && typeof a.path === "string");
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (!isPath(first)) return denied("net.Socket.connect(tcp)")();
  return connect.apply(this, args);
};
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  const ok =
    typeof first === "string" ||
    (first !== null &&
      typeof first === "object" &&
      (typeof first.path === "string" || "fd" in first || "_handle" in first));
  if (!ok) return denied("net.Server.listen(tcp)")();
  return listen.apply(this, args);
};
syncBuiltinESMExports();

// Loading a network module at all is an attempt: refuse it for ESM imports and CommonJS requires alike.
const Module = require("node:module");
const load = Module._load;
Module._load = function (request, ...rest) {
  const bare = String(request).replace(/^node:/, "");
  if (FORBIDDEN_MODULES.includes(bare)) return denied(`require(${request})`)();
  return load.call(this, request, ...rest);
};
register("./deny-modules-hooks.mjs", import.meta.url, {
  data: { log: process.env.FENCE_LOG ?? "", forbidden: FORBIDDEN_MODULES },
});
