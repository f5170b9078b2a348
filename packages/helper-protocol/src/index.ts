// Public surface of the helper contract, imported by both the agent and the root helper.
export * from "./errors.js";
export * from "./shapes.js";
export * from "./methods.js";
export { HelperClient } from "./client.js";
export type { CallOptions, HelperClientOptions } from "./client.js";
export { registerHelperMethods, HelperFailure, isHelperFailure } from "./server.js";
export type { AuditRecord, Handler, HandlerContext, Handlers, RegisterOptions } from "./server.js";
export { connectionFromStreams } from "./transport.js";
export type { MessageConnection } from "./transport.js";
export { connectionFromFrames } from "./wire.js";
export type { WireFlow } from "./wire.js";
export { coalescingAudit, eventsIn } from "./audit.js";
export type { AuditLine, AuditLog } from "./audit.js";
