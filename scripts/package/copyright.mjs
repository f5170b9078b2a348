#!/usr/bin/env node
// Writes the Debian package's machine-readable copyright file (DEP-5): felhom's own terms, then one stanza per
// bundled production dependency from its package.json and its licence text, so the .deb says what it ships.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const repo = new URL("../../", import.meta.url).pathname;
const lines = [
  "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
  "Upstream-Name: felhom",
  "",
  "Files: *",
  "Copyright: felhom maintainers",
  "License: proprietary",
  " All rights reserved. Not licensed for redistribution (package.json: UNLICENSED).",
];
const texts = new Map();
for (const dir of process.argv.slice(2)) {
  const meta = JSON.parse(readFileSync(join(repo, dir, "package.json"), "utf8"));
  const license = String(meta.license ?? "UNKNOWN");
  const author = typeof meta.author === "string" ? meta.author : (meta.author?.name ?? "");
  const file = readdirSync(join(repo, dir)).find((f) => /^(licen[cs]e|copying)/i.test(f));
  const text = file ? readFileSync(join(repo, dir, file), "utf8") : "";
  const holder =
    /^\s*copyright\s+(?:\(c\)\s*)?(.+)$/im.exec(text)?.[1]?.trim() ?? (author || meta.name);
  lines.push("", `Files: usr/lib/felhom/${dir}/*`, `Copyright: ${holder}`, `License: ${license}`);
  if (text && !texts.has(license)) texts.set(license, text);
}
for (const [license, text] of texts) {
  lines.push("", `License: ${license}`);
  for (const l of text.trim().split("\n")) lines.push(l.trim() === "" ? " ." : ` ${l.trimEnd()}`);
}
process.stdout.write(`${lines.join("\n")}\n`);
