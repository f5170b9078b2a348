// The helper's error taxonomy: fixed JSON-RPC codes and fixed messages, so nothing the helper saw (stderr, paths,
// exception text) can cross the socket, and the agent can branch on a stable `code`.

/** JSON-RPC error codes the helper may answer with. Standard codes first, then the helper's own (-32000..-32099). */
export const HelperErrorCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  TOOL_FAILED: -32000,
  BUSY: -32001,
  PEER_DENIED: -32002,
  DEVICE_NOT_ELIGIBLE: -32003,
  NOT_FOUND: -32004,
  ALREADY_EXISTS: -32005,
  TIMEOUT: -32006,
  NOT_OWNED: -32007,
  TOOL_OUTPUT_INVALID: -32008,
  TOOL_UNAVAILABLE: -32009,
  CANCELLED: -32010,
  DEVICE_IN_USE: -32020,
  POLICY_INVALID: -32021,
  POLICY_DENIED: -32022,
  GOLDEN_LIMIT: -32023,
} as const;

export type HelperErrorName = keyof typeof HelperErrorCode;
export type HelperErrorNumber = (typeof HelperErrorCode)[HelperErrorName];

/** The one message each code carries on the wire. Handlers never choose their own text. */
export const HelperErrorMessage: { readonly [K in HelperErrorName]: string } = {
  PARSE_ERROR: "Parse error",
  INVALID_REQUEST: "Invalid request",
  METHOD_NOT_FOUND: "Method not found",
  INVALID_PARAMS: "Invalid params",
  INTERNAL_ERROR: "Internal error",
  TOOL_FAILED: "The privileged tool failed",
  BUSY: "Another operation of this kind is running",
  PEER_DENIED: "Peer not allowed",
  DEVICE_NOT_ELIGIBLE: "Device is not an eligible USB filesystem",
  NOT_FOUND: "No such object",
  ALREADY_EXISTS: "Object already exists",
  TIMEOUT: "The operation timed out",
  NOT_OWNED: "Object was not created by the helper",
  TOOL_OUTPUT_INVALID: "The privileged tool printed output the helper cannot read",
  TOOL_UNAVAILABLE: "The privileged tool is not installed",
  CANCELLED: "The request was cancelled before it ran",
  DEVICE_IN_USE: "Device is in use on the host or named in a guest's configuration",
  POLICY_INVALID: "The golden-image policy file is missing, unsafe or invalid",
  POLICY_DENIED: "Outside the golden-image policy",
  GOLDEN_LIMIT: "The golden-image policy's container limit is reached",
};

const nameByNumber = new Map<number, HelperErrorName>(
  (Object.keys(HelperErrorCode) as HelperErrorName[]).map((k) => [HelperErrorCode[k], k]),
);

/** Looks up the symbolic name of a wire code; undefined for codes outside the contract. */
export function helperErrorName(code: number): HelperErrorName | undefined {
  return nameByNumber.get(code);
}

/** Stable string codes of errors the agent side raises. */
export type HelperClientErrorCode =
  | `HELPER_${HelperErrorName}`
  | "HELPER_UNKNOWN_ERROR"
  | "HELPER_CONNECT_FAILED"
  | "HELPER_PROTOCOL_MISMATCH"
  | "HELPER_BAD_RESULT"
  | "HELPER_CALL_TIMEOUT"
  | "HELPER_ABORTED"
  | "HELPER_CLOSED";

/** The one error class the agent sees from the helper: a stable `code`, and `rpcCode` for errors the helper sent. */
export class HelperError extends Error {
  override readonly name = "HelperError";
  readonly code: HelperClientErrorCode;
  readonly rpcCode: number | undefined;
  readonly method: string | undefined;

  constructor(
    code: HelperClientErrorCode,
    message: string,
    opts: { rpcCode?: number; method?: string; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.rpcCode = opts.rpcCode;
    this.method = opts.method;
  }

  /** Maps a wire error code to the agent-side error; unknown codes are kept but flagged. */
  static fromWire(rpcCode: number, method: string): HelperError {
    const name = helperErrorName(rpcCode);
    if (name === undefined) {
      return new HelperError(
        "HELPER_UNKNOWN_ERROR",
        `helper answered ${method} with unknown code ${rpcCode}`,
        {
          rpcCode,
          method,
        },
      );
    }
    return new HelperError(`HELPER_${name}`, `${method}: ${HelperErrorMessage[name]}`, {
      rpcCode,
      method,
    });
  }
}

/** True for the agent-side helper errors, matched by their stable `HELPER_…` code (not by class). */
export function isHelperError(err: unknown): err is HelperError {
  if (typeof err !== "object" || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("HELPER_");
}

/**
 * True for an error answer as JSON-RPC carries it (vscode-jsonrpc's ResponseError, the connection's own -32099..-32096
 * included): an Error whose `code` is a number. The agent-side HelperError's codes are strings, so the two never meet.
 */
export function isWireError(err: unknown): err is Error & { readonly code: number } {
  return err instanceof Error && typeof (err as { code?: unknown }).code === "number";
}
