// Maps "METHOD /path" to the slice-1 operation and its handler, extracting the {params} of the path template
// the way PVE's find_handler does (empty path segments are ignored).
import type { Handler } from "./handlers/types.js";
import { loadSchema } from "./schema-data.js";
import type { OperationSchema } from "./schema/types.js";

interface Route {
  op: OperationSchema;
  segments: string[];
  handler: Handler | undefined;
}

export interface RouteMatch {
  op: OperationSchema;
  uri: Record<string, string>;
  handler: Handler | undefined;
}

export class Router {
  private readonly byKey = new Map<string, Route[]>();

  constructor(handlers: Readonly<Record<string, Handler>>) {
    for (const op of loadSchema().operations) {
      const segments = op.path.split("/").filter((s) => s.length > 0);
      const key = `${op.method} ${segments.length}`;
      const list = this.byKey.get(key) ?? [];
      list.push({ op, segments, handler: handlers[`${op.method} ${op.path}`] });
      // Literal segments beat {params}, as PVE registers fixed subpaths before {vmid}-style ones.
      list.sort((a, b) => literalScore(b) - literalScore(a));
      this.byKey.set(key, list);
    }
  }

  resolve(method: string, relPath: string): RouteMatch | undefined {
    const parts = relPath.split("/").filter((s) => s.length > 0);
    for (const route of this.byKey.get(`${method} ${parts.length}`) ?? []) {
      const uri: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = route.segments[i] ?? "";
        const part = parts[i] ?? "";
        if (seg.startsWith("{")) uri[seg.slice(1, -1)] = part;
        else ok = seg === part;
      }
      if (ok) return { op: route.op, uri, handler: route.handler };
    }
    return undefined;
  }

  /** Every operation of the slice with whether the simulator handles it. */
  coverage(): Array<{ method: string; path: string; handled: boolean }> {
    return [...this.byKey.values()]
      .flat()
      .map((r) => ({ method: r.op.method, path: r.op.path, handled: !!r.handler }));
  }
}

const literalScore = (r: Route): number => r.segments.filter((s) => !s.startsWith("{")).length;
