// A raw JSON-RPC peer for attacking the helper: frames anything (valid or not), writes bytes as given, and
// matches framed answers to request ids. It validates nothing itself, unlike the contract's typed stub.
import { connect, type Socket } from "node:net";

/** `Content-Length: N\r\n\r\n` + body. */
export function frame(body: string | Buffer): Buffer {
  const b = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`, "latin1"), b]);
}

export interface RpcAnswer {
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown };
  /** The answer's raw text, for leak scans. */
  raw: string;
}

export class RawPeer {
  readonly socket: Socket;
  readonly answers: RpcAnswer[] = [];
  readonly closed: Promise<void>;
  #buf = Buffer.alloc(0);
  #waiters = new Map<string, (a: RpcAnswer) => void>();
  #onClose: Array<() => void> = [];
  isClosed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => this.#feed(chunk));
    socket.on("error", () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.isClosed = true;
        for (const f of this.#onClose.splice(0)) f();
        resolve();
      }),
    );
  }

  static open(path: string, timeoutMs = 5000): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ path });
      const timer = setTimeout(
        () => (socket.destroy(), reject(new Error("connect timeout"))),
        timeoutMs,
      );
      socket.once("connect", () => (clearTimeout(timer), resolve(new RawPeer(socket))));
      socket.once("error", (err) => (clearTimeout(timer), reject(err)));
    });
  }

  write(bytes: Buffer): void {
    if (!this.isClosed) this.socket.write(bytes);
  }

  /** Sends a request object as one frame and resolves with its answer (rejects on close or timeout). */
  request(message: Record<string, unknown>, timeoutMs = 30_000): Promise<RpcAnswer> {
    const key = JSON.stringify(message.id);
    const answer = new Promise<RpcAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(key);
        reject(new Error(`no answer to id ${key} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onClose = (): void => {
        clearTimeout(timer);
        reject(new Error(`connection closed before the answer to id ${key}`));
      };
      this.#onClose.push(onClose);
      this.#waiters.set(key, (a) => {
        clearTimeout(timer);
        const i = this.#onClose.indexOf(onClose);
        if (i >= 0) this.#onClose.splice(i, 1);
        resolve(a);
      });
    });
    this.write(frame(JSON.stringify(message)));
    return answer;
  }

  destroy(): void {
    this.socket.destroy();
  }

  #feed(chunk: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, chunk]);
    for (;;) {
      const end = this.#buf.indexOf("\r\n\r\n");
      if (end === -1) return;
      const m = /content-length:\s*(\d+)/i.exec(this.#buf.subarray(0, end).toString("latin1"));
      const length = Number(m?.[1] ?? -1);
      if (length < 0 || this.#buf.length < end + 4 + length) return;
      const raw = this.#buf.subarray(end + 4, end + 4 + length).toString("utf8");
      this.#buf = this.#buf.subarray(end + 4 + length);
      let parsed: RpcAnswer;
      try {
        parsed = { ...(JSON.parse(raw) as object), raw };
      } catch {
        parsed = { raw };
      }
      if (this.answers.length < 1000) this.answers.push(parsed);
      const key = JSON.stringify(parsed.id);
      const waiter = this.#waiters.get(key);
      if (waiter) {
        this.#waiters.delete(key);
        waiter(parsed);
      }
    }
  }
}
