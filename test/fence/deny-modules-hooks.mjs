// Module-resolution hooks for the fence preloads: an ESM import of a forbidden module is recorded and refused.
import { appendFileSync } from "node:fs";

let log = "";
let forbidden = [];

export function initialize(data) {
  log = data.log;
  forbidden = data.forbidden;
}

export async function resolve(specifier, context, next) {
  const bare = specifier.replace(/^node:/, "");
  if (forbidden.includes(bare)) {
    if (log)
      appendFileSync(
        log,
        `${JSON.stringify({ what: `import(${specifier})`, from: context.parentURL ?? null })}\n`,
      );
    throw new Error(`fence: import of ${specifier} is forbidden in this process`);
  }
  return next(specifier, context);
}
