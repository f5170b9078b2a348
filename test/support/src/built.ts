// Where the built programs are, found through each package's declared `bin` (as npm installs them), so that the
// demo, the soak and the tests name a program rather than another package's dist/ layout.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** The absolute path of a workspace package's built program, by its bin name (e.g. "felhom-agent"). */
export function builtBin(pkg: string, bin: string): string {
  // Node's own lookup of the package folder (its exports map hides package.json from require.resolve).
  const dir = (require.resolve.paths(pkg) ?? [])
    .map((d) => join(d, pkg))
    .find((d) => existsSync(join(d, "package.json")));
  if (dir === undefined) throw new Error(`${pkg} is not installed`);
  const manifest = join(realpathSync(dir), "package.json");
  const { bin: bins } = JSON.parse(readFileSync(manifest, "utf8")) as {
    bin?: Record<string, string>;
  };
  const file = bins?.[bin];
  if (file === undefined) throw new Error(`${pkg} declares no bin named ${bin}`);
  return join(dirname(manifest), file);
}

/** The built CLI, daemon and root helper. */
export const BUILT = {
  cli: builtBin("@felhom/agent", "felhom"),
  daemon: builtBin("@felhom/agent", "felhom-agent"),
  rootHelper: builtBin("@felhom/root-helper", "felhom-root-helper"),
} as const;
