// The API token as a value: the id is validated PVE syntax and the secret is a type that never prints,
// so neither a log line, an error, JSON nor util.inspect can carry it.
import { matches, TOKEN_ID } from "@felhom/grammar";
import { PveArgumentError } from "./errors.js";

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** A secret string. Prints as `***` everywhere; `reveal()` is called only where the header is built. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The secret itself. Use only to build the Authorization header. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return "***";
  }
  toJSON(): string {
    return "***";
  }
  [INSPECT](): string {
    return "Secret(***)";
  }
}

/** `USER@REALM!TOKENID` (the grammar's TOKEN_ID, which says how it follows PVE's pve-tokenid). */
export const API_TOKEN_ID = TOKEN_ID.pattern;
const SECRET = /^[\x21-\x7e]+$/;

/** A PVE API token: `USER@REALM!TOKENID` plus its secret. */
export class ApiToken {
  /** `USER@REALM!TOKENID` */
  readonly id: string;
  /** `USER@REALM` */
  readonly user: string;
  /** `TOKENID` */
  readonly tokenName: string;
  readonly secret: Secret;

  constructor(id: string, secret: string | Secret) {
    const m = matches(TOKEN_ID, id) ? API_TOKEN_ID.exec(id) : null;
    if (!m) throw new PveArgumentError("token id", "expected USER@REALM!TOKENID");
    const raw = typeof secret === "string" ? secret : secret.reveal();
    if (!SECRET.test(raw)) {
      throw new PveArgumentError("token secret", "expected printable ASCII without spaces");
    }
    this.id = id;
    this.user = `${m[1] ?? ""}@${m[2] ?? ""}`;
    this.tokenName = m[3] ?? "";
    this.secret = typeof secret === "string" ? new Secret(secret) : secret;
  }

  /** Parses `USER@REALM!TOKENID=SECRET` (the form `pveum` prints and PVE's header carries). */
  static parse(value: string): ApiToken {
    const eq = value.indexOf("=");
    // The message never repeats the input: it may hold the secret.
    if (eq <= 0) throw new PveArgumentError("token", "expected USER@REALM!TOKENID=SECRET");
    return new ApiToken(value.slice(0, eq), value.slice(eq + 1).trim());
  }

  /** The Authorization header value. The only place the secret is revealed. */
  authorizationHeader(): string {
    return `PVEAPIToken=${this.id}=${this.secret.reveal()}`;
  }

  toString(): string {
    return `${this.id}=***`;
  }
  toJSON(): { id: string; secret: string } {
    return { id: this.id, secret: "***" };
  }
  [INSPECT](): string {
    return `ApiToken(${this.id}=***)`;
  }
}

/** Accepts an ApiToken, `ID=SECRET`, or `{ id, secret }`. */
export type TokenInput = ApiToken | string | { id: string; secret: string | Secret };

export function toApiToken(input: TokenInput): ApiToken {
  if (input instanceof ApiToken) return input;
  if (typeof input === "string") return ApiToken.parse(input);
  return new ApiToken(input.id, input.secret);
}
