// The server side of the wire: a JSON-RPC connection over whole frames (the root helper's frame guard delivers
// them), with the bookkeeping backpressure needs. Each request id is unanswered from the moment it is read until
// its answer has been handed to the kernel; the caller is told when that happens (settled), and also at once for
// every message that needs no answer. Answers the peer does not read pile up in the socket's queue: past
// maxQueuedBytes the connection fails. A second request with an id still unanswered fails it too (vscode-jsonrpc
// would overwrite the first in its queue, leaving it unanswered forever).
import type { Readable, Writable } from "node:stream";
import rpc from "vscode-jsonrpc/node";
import type { DataCallback, Disposable, Message, MessageConnection } from "vscode-jsonrpc/node";
import { objectParamsOnly } from "./transport.js";

export interface WireFlow {
  /** Called once per message read: when its answer is handed to the kernel, or at once if it needs none. */
  settled(): void;
  /** Bytes of answers waiting to be written before the connection fails (the peer is not reading). */
  readonly maxQueuedBytes: number;
}

const HEADER_END = Buffer.from("\r\n\r\n");
const key = (id: string | number): string => `${typeof id}:${id}`;

/** A connection reading one JSON-RPC message per 'data' chunk of `frames` (a header block and its body). */
export function connectionFromFrames(
  frames: Readable,
  output: Writable,
  flow: WireFlow,
): MessageConnection {
  const unanswered = new Set<string>();
  class FrameReader extends rpc.AbstractMessageReader {
    listen(callback: DataCallback): Disposable {
      const onFrame = (frame: Buffer): void => {
        let message: Message;
        try {
          const body = frame.subarray(frame.indexOf(HEADER_END) + 4).toString("utf8");
          message = JSON.parse(body) as Message;
        } catch (err) {
          return void this.fireError(err);
        }
        if (rpc.Message.isRequest(message)) {
          const id = key(message.id as string | number); // isRequest checked its type
          if (unanswered.has(id)) return void this.fireError(new Error("duplicate id"));
          unanswered.add(id);
        } else flow.settled();
        callback(message);
      };
      frames.on("data", onFrame).on("error", (err: Error) => this.fireError(err));
      frames.on("close", () => this.fireClose());
      return { dispose: () => void frames.off("data", onFrame) };
    }
  }
  class FrameWriter extends rpc.AbstractMessageWriter {
    write(message: Message): Promise<void> {
      const body = Buffer.from(JSON.stringify(message), "utf8");
      const id = rpc.Message.isResponse(message) ? message.id : null;
      const answers = id !== null && unanswered.delete(key(id));
      const frame = Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
      output.write(frame, () => answers && flow.settled());
      if (output.writableLength > flow.maxQueuedBytes)
        this.fireError(new Error("the peer does not read its answers"));
      return Promise.resolve();
    }
    end(): void {}
  }
  return rpc.createMessageConnection(new FrameReader(), new FrameWriter(), undefined, {
    messageStrategy: objectParamsOnly,
  });
}
