// A guard in front of vscode-jsonrpc's reader, which has no size cap and keeps a connection open after a bad
// header. Each header block must be exactly `Content-Length` (optionally with vscode-jsonrpc's own UTF-8
// `Content-Type`) within the header cap, the body within the body cap, the whole frame within the frame
// timeout; anything else fails the stream, and that closes the connection. Only complete frames are passed on:
// vscode-jsonrpc re-arms a timer forever for a partial message, even after its connection is disposed.
// It is also where reading stops: no new frame starts while maxUnanswered frames are unsettled (see settle()) or
// the rate cap (admit) says wait; the held chunk is not acknowledged, so the socket is paused by backpressure.
import { Transform, type TransformCallback } from "node:stream";
import type { Limits } from "./config.js";

const CL = "content-length: ?([0-9]{1,6})";
const CT = "content-type: ?application/vscode-jsonrpc; ?charset=utf-?8"; // the only one vscode-jsonrpc reads
const HEADER = new RegExp(`^(?:${CL}|${CL}\\r\\n${CT}|${CT}\\r\\n${CL})$`, "i");
const HEADER_END = Buffer.from("\r\n\r\n");

type GuardLimits = Pick<
  Limits,
  "maxHeaderBytes" | "maxBodyBytes" | "frameTimeoutMs" | "maxUnanswered"
>;

export class FrameGuard extends Transform {
  readonly #limits: GuardLimits;
  readonly #admit: () => number; // 0: a frame may start now; else ms to wait (the rate cap)
  #unsettled = 0; // frames passed on whose answer is not yet written (or that turned out to need none)
  #held: { rest: Buffer; done: TransformCallback } | undefined;
  #header = Buffer.alloc(0); // an incomplete header block, never longer than maxHeaderBytes
  #frame: Buffer[] = []; // a checked header block and the body bytes received so far
  #body = 0; // body bytes of the current frame still missing
  #timer: NodeJS.Timeout | undefined;

  constructor(limits: GuardLimits, admit: () => number = () => 0) {
    super();
    this.#limits = limits;
    this.#admit = admit;
  }

  /** One frame passed on is settled: its answer was written, or it needed none. Reading may go on. */
  settle(): void {
    this.#unsettled--;
    this.#resume();
  }

  #resume(): void {
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined && !this.destroyed) this._transform(held.rest, "latin1", held.done);
  }

  /** A closed connection keeps nothing alive: its frame timer would otherwise hold the partial frame. */
  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#timer);
    [this.#held, this.#frame, this.#header] = [undefined, [], Buffer.alloc(0)];
    callback(err);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let rest = chunk;
    while (rest.length > 0) {
      if (this.#body === 0 && this.#header.length === 0) {
        const full = this.#unsettled >= this.#limits.maxUnanswered;
        const wait = full ? 0 : this.#admit();
        if (full || wait > 0) {
          this.#held = { rest, done };
          if (!full) setTimeout(() => this.#resume(), wait);
          return;
        }
      }
      if (this.#body > 0) {
        const n = Math.min(this.#body, rest.length);
        this.#frame.push(rest.subarray(0, n));
        this.#body -= n;
        rest = rest.subarray(n);
        if (this.#body > 0) continue;
        this.push(Buffer.concat(this.#frame)); // whole frames only: vscode-jsonrpc never sees a partial one
        this.#unsettled++;
        this.#frame = [];
        clearTimeout(this.#timer);
        continue;
      }
      if (this.#header.length === 0) {
        const timeout = (): void => void this.destroy(new Error("frame timeout"));
        this.#timer = setTimeout(timeout, this.#limits.frameTimeoutMs).unref();
      }
      const block = Buffer.concat([this.#header, rest]);
      const end = block.indexOf(HEADER_END);
      if ((end === -1 ? block.length : end + 4) > this.#limits.maxHeaderBytes)
        return done(new Error("frame header too large"));
      if (end === -1) {
        this.#header = block;
        break;
      }
      const m = HEADER.exec(block.subarray(0, end).toString("latin1"));
      const length = Number(m?.[1] ?? m?.[2] ?? m?.[3] ?? 0);
      if (length < 1 || length > this.#limits.maxBodyBytes) return done(new Error("bad header"));
      this.#frame = [block.subarray(0, end + 4)];
      this.#header = Buffer.alloc(0);
      this.#body = length;
      rest = block.subarray(end + 4);
    }
    done();
  }
}

/** The request-rate cap: a bucket of `perSecond` frames, refilled evenly. The answer is 0 when a frame may
 * start now (it takes one), else the milliseconds until one may. */
export function rateCap(perSecond: number, now: () => number = Date.now): () => number {
  let [tokens, filled] = [perSecond, now()];
  return () => {
    [tokens, filled] = [Math.min(perSecond, tokens + ((now() - filled) * perSecond) / 1000), now()];
    return tokens >= 1 ? (tokens--, 0) : Math.ceil(((1 - tokens) * 1000) / perSecond);
  };
}
