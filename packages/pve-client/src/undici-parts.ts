// The two runtime pieces of undici the client uses, loaded from their own files: undici's index also loads
// fetch, WebSocket, EventSource, the mock and cache layers and more (about 4 MB more RSS in the daemon, which needs
// none of them). Types are undici's own declarations; test/undici-parts.test.ts checks these are the very
// values undici's index exports, so a version that moves them fails loudly.
import { createRequire } from "node:module";
import type { Agent as UndiciAgent, buildConnector as undiciBuildConnector } from "undici";

// Without the index, Dispatcher.prototype lacks the convenience methods it adds (request, stream, pipeline,
// connect, upgrade); the client only calls dispatch() and close().
const require = createRequire(import.meta.url);

/** undici's keep-alive Agent (`undici/lib/dispatcher/agent.js`). */
export const Agent = require("undici/lib/dispatcher/agent.js") as typeof UndiciAgent;
export type Agent = UndiciAgent;

/** undici's TLS/TCP connector factory (`undici/lib/core/connect.js`). */
export const buildConnector = require("undici/lib/core/connect.js") as typeof undiciBuildConnector;

/** A connector as buildConnector makes it, and the options it is called with. */
export type Connector = undiciBuildConnector.connector;
export type ConnectOptions = undiciBuildConnector.Options;
