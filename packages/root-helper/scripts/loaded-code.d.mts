// Types of loaded-code.mjs for the TypeScript tests.
export interface LoadedCode {
  flags: string[];
  files: number;
  lines: number;
  byPackage: Record<string, number>;
  rssIdleKiB: number;
  list: string[];
}
export function unitNodeFlags(unitText: string): string[];
export function packageOf(file: string): string;
export function measureLoadedCode(opts: {
  unit: string;
  main: string;
  idleMs?: number;
}): Promise<LoadedCode>;
