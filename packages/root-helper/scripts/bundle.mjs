// Builds the production entry as one file: dist/main.js (over tsc's output) bundled from src/main.ts with only the
// code the root process runs. Tree shaking leaves out zod's locales, JSON Schema and classic API, the agent's
// HelperClient, and everything else no helper path reaches (see scripts/loaded-code.mjs for the count). Not
// minified: the file stays readable for an auditor. The addon is still loaded at run time from ../native.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
await build({
  entryPoints: [join(pkg, "src/main.ts")],
  outfile: join(pkg, "dist/main.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  conditions: ["@felhom/source"], // the workspace packages' sources, not their dist/
  // vscode-jsonrpc is CommonJS: its require() of Node built-ins needs a real require in an ES module.
  banner: {
    js: 'import { createRequire as __cr } from "node:module";\nconst require = __cr(import.meta.url);',
  },
  legalComments: "inline",
  logLevel: "warning",
});
