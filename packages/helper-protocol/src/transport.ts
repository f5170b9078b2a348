// The one place that imports vscode-jsonrpc's Node transport: JSON-RPC over any pair of byte streams.
import type { Readable, Writable } from "node:stream";
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-jsonrpc/node";
import type { MessageConnection } from "vscode-jsonrpc/node";

export type { MessageConnection };

/** A JSON-RPC connection reading framed messages from `input` and writing them to `output` (not yet listening). */
export function connectionFromStreams(input: Readable, output: Writable): MessageConnection {
  return createMessageConnection(
    new StreamMessageReader(input, "utf-8"),
    new StreamMessageWriter(output, "utf-8"),
  );
}
