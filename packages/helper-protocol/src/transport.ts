// The one place that imports vscode-jsonrpc's Node transport: JSON-RPC over any pair of byte streams.
import type { Readable, Writable } from "node:stream";
import jsonrpc from "vscode-jsonrpc/node";
import type { MessageConnection, MessageStrategy } from "vscode-jsonrpc/node";
// vscode-jsonrpc is CommonJS: a default import, never Node's named-export detection (issue 13).
const { createMessageConnection, Message, StreamMessageReader, StreamMessageWriter } = jsonrpc;
type Message = jsonrpc.Message;

export type { MessageConnection };

/**
 * Every method's params are a JSON object. A request whose params are anything else (absent, an array, a
 * scalar) is passed on with params `null`, so the registered handler refuses it with the contract's own
 * InvalidParams answer and audit record; vscode-jsonrpc would otherwise answer it itself, with its own text,
 * before any handler (and so any audit) runs.
 */
const objectParamsOnly: MessageStrategy = {
  handleMessage(message, next) {
    const params: unknown = Message.isRequest(message) ? message.params : {};
    const isObject = typeof params === "object" && params !== null && !Array.isArray(params);
    return next(isObject ? message : ({ ...message, params: null } as Message));
  },
};

/** A JSON-RPC connection reading framed messages from `input` and writing them to `output` (not yet listening). */
export function connectionFromStreams(input: Readable, output: Writable): MessageConnection {
  return createMessageConnection(
    new StreamMessageReader(input, "utf-8"),
    new StreamMessageWriter(output, "utf-8"),
    undefined,
    { messageStrategy: objectParamsOnly },
  );
}
