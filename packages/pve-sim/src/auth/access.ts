// Users, API tokens and ACLs as PVE computes them (RPCEnvironment::permissions, AccessControl::roles): the most
// specific ACL path wins, propagation to sub-paths, privilege-separated tokens get user ∩ token privileges.
import { timingSafeEqual } from "node:crypto";
import { SimError, permError } from "../errors.js";
import type { Prng } from "../prng.js";
import { splitTokenId, USERID_RE } from "./ids.js";
import { ALL_PRIVILEGES, isPrivilege } from "./privileges.js";

/** Privileges granted on a path; `propagate` (default true) extends them to sub-paths. Empty privs = NoAccess. */
export interface AclEntry {
  path: string;
  privs: string[];
  propagate?: boolean;
}

export interface TokenSpec {
  /** Full token id, "user@realm!name". */
  id: string;
  /** Privilege separation (PVE's default for new tokens is on). */
  privsep?: boolean;
  /** With privsep: the token's own ACL. Without: applied to the owning user. */
  acl?: AclEntry[];
  /** The owning user's ACL when the user is created by this call (default: everything on "/"). */
  userAcl?: AclEntry[];
  /** Fixed secret (default: a seeded UUID). */
  secret?: string;
  /** Unix seconds after which the token is refused. */
  expire?: number;
}

export interface IssuedToken {
  id: string;
  secret: string;
  /** "ID=SECRET", the value after "PVEAPIToken=". */
  value: string;
}

interface Subject {
  acl: AclEntry[];
}
interface TokenRecord extends Subject {
  id: string;
  user: string;
  secret: Buffer;
  privsep: boolean;
  expire?: number;
}

/** Privileges at a path, mapped to their propagate flag (0/1), as GET /access/permissions shows them. */
export type PrivMap = Record<string, 0 | 1>;

function normalizePath(path: string): string {
  const parts = path.split("/").filter((p) => p.length > 0);
  return `/${parts.join("/")}`;
}

export class AccessControl {
  private readonly users = new Map<string, Subject>();
  private readonly tokens = new Map<string, TokenRecord>();
  private cache = new Map<string, PrivMap>();

  private readonly prng: Prng;

  constructor(prng: Prng) {
    this.prng = prng;
    this.users.set("root@pam", { acl: [] });
  }

  addUser(userid: string, acl: AclEntry[] = []): void {
    if (!USERID_RE.test(userid))
      throw new SimError("SIM_INVALID_OPTION", `invalid user id '${userid}'`);
    this.users.set(userid, { acl: this.checkAcl(acl) });
    this.cache.clear();
  }

  addToken(spec: TokenSpec): IssuedToken {
    const split = splitTokenId(spec.id);
    if (!split) throw new SimError("SIM_INVALID_OPTION", `'${spec.id}' is not a valid token ID`);
    const [user] = split;
    const privsep = spec.privsep ?? true;
    if (!this.users.has(user)) {
      this.users.set(user, {
        acl: this.checkAcl(spec.userAcl ?? [{ path: "/", privs: [...ALL_PRIVILEGES] }]),
      });
    }
    if (!privsep && spec.acl) {
      const owner = this.users.get(user);
      if (owner && user !== "root@pam") owner.acl = this.checkAcl(spec.acl);
    }
    const secret = spec.secret ?? this.prng.uuid();
    const record: TokenRecord = {
      id: spec.id,
      user,
      secret: Buffer.from(secret),
      privsep,
      acl: privsep ? this.checkAcl(spec.acl ?? []) : [],
    };
    if (spec.expire !== undefined) record.expire = spec.expire;
    this.tokens.set(spec.id, record);
    this.cache.clear();
    return { id: spec.id, secret, value: `${spec.id}=${secret}` };
  }

  hasToken(id: string): boolean {
    return this.tokens.has(id);
  }

  private checkAcl(acl: AclEntry[]): AclEntry[] {
    return acl.map((e) => {
      for (const p of e.privs)
        if (!isPrivilege(p)) throw new SimError("SIM_INVALID_OPTION", `invalid privilege '${p}'`);
      return { path: normalizePath(e.path), privs: [...e.privs], propagate: e.propagate ?? true };
    });
  }

  /** verify_token: the auth id for "ID=SECRET" (split at the last '='), or undefined. */
  verifyToken(value: string, nowSec: number): string | undefined {
    const eq = value.lastIndexOf("=");
    if (eq < 0) return undefined;
    const id = value.slice(0, eq);
    const token = this.tokens.get(id);
    if (!token || !splitTokenId(id) || !this.users.has(token.user)) return undefined;
    if (token.expire && token.expire < nowSec) return undefined;
    const given = Buffer.from(value.slice(eq + 1));
    if (given.length !== token.secret.length || !timingSafeEqual(given, token.secret))
      return undefined;
    return id;
  }

  /** roles() for one subject: walk from "/" down, the deepest applicable entries replace what came before. */
  private walk(acl: AclEntry[], path: string): PrivMap {
    const parts = path === "/" ? [] : path.split("/").filter((p) => p);
    let current: PrivMap = {};
    for (let depth = 0; depth <= parts.length; depth++) {
      const prefix = `/${parts.slice(0, depth).join("/")}`;
      const final = depth === parts.length;
      const entries = acl.filter((e) => e.path === prefix && (final || e.propagate));
      if (entries.length === 0) continue;
      const next: PrivMap = {};
      for (const e of entries) for (const p of e.privs) next[p] = next[p] || (e.propagate ? 1 : 0);
      current = next;
    }
    return current;
  }

  /** permissions($authid, $path): privileges set on `path`, each with its propagate flag. */
  permissions(authid: string, rawPath: string): PrivMap {
    const path = normalizePath(rawPath);
    const key = `${authid}\0${path}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    let result: PrivMap;
    if (authid === "root@pam") {
      result = Object.fromEntries(ALL_PRIVILEGES.map((p) => [p, 1 as const]));
    } else {
      const token = this.tokens.get(authid);
      if (token) {
        const userPrivs = this.permissions(token.user, path);
        if (!token.privsep) result = userPrivs;
        else {
          const own = this.walk(token.acl, path);
          result = {};
          for (const p of Object.keys(own))
            if (userPrivs[p] !== undefined) result[p] = userPrivs[p] && own[p] ? 1 : 0;
        }
      } else {
        const user = this.users.get(authid);
        result = user ? this.walk(user.acl, path) : {};
      }
    }
    this.cache.set(key, result);
    return result;
  }

  /** $rpcenv->check: all of `privs`; throws 403 naming the first one missing. */
  check(authid: string, path: string, privs: readonly string[], noerr = false): boolean {
    const perms = this.permissions(authid, path);
    for (const p of privs) {
      if (perms[p] === undefined) {
        if (noerr) return false;
        throw permError(`${normalizePath(path)}, ${p}`);
      }
    }
    return true;
  }

  /** $rpcenv->check_any: one of `privs`; throws 403 listing them all with "|". */
  checkAny(authid: string, path: string, privs: readonly string[], noerr = false): boolean {
    const perms = this.permissions(authid, path);
    if (privs.some((p) => perms[p] !== undefined)) return true;
    if (noerr) return false;
    throw permError(`${normalizePath(path)}, ${privs.join("|")}`);
  }

  /** get_effective_permissions: the default top-level paths plus every ACL path, where anything is set. */
  effectivePermissions(
    authid: string,
    extraPaths: readonly string[] = [],
  ): Record<string, PrivMap> {
    const paths = new Set([
      "/",
      "/access",
      "/access/groups",
      "/nodes",
      "/pool",
      "/sdn",
      "/storage",
      "/vms",
    ]);
    for (const subject of [...this.users.values(), ...this.tokens.values()])
      for (const e of subject.acl) paths.add(e.path);
    for (const p of extraPaths) paths.add(p);
    const out: Record<string, PrivMap> = {};
    for (const path of [...paths].sort()) {
      const perms = this.permissions(authid, path);
      if (Object.keys(perms).length > 0) out[path] = perms;
    }
    return out;
  }

  /** The owning user of a token id, or the id itself. */
  ownerOf(authid: string): string {
    return splitTokenId(authid)?.[0] ?? authid;
  }
}
