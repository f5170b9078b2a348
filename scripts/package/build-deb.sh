#!/usr/bin/env bash
# `npm run package`: builds felhom_<version>_<arch>.deb from a clean build with dpkg-deb, so the host needs no npm,
# compiler or network. Prints the .deb's path as the last line. FELHOM_DEB_VERSION overrides the version (upgrades).
set -euo pipefail
umask 022
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
say() { echo "package: $*" >&2; }

for tool in dpkg-deb dpkg-shlibdeps strip gzip; do
  command -v "$tool" >/dev/null || { say "missing $tool (apt-get install dpkg-dev binutils)"; exit 1; }
done

base_version=$(node -p 'require("./packages/agent/package.json").version')
version=${FELHOM_DEB_VERSION:-$base_version}
arch=$(dpkg --print-architecture)
# Reproducible timestamps: the last commit's time (or now, outside git).
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
out_dir=${FELHOM_DEB_OUT:-$repo/dist-deb}
lib=/usr/lib/felhom
packages=(grammar helper-protocol pve-client root-helper agent)
units=(felhom-root-helper.socket felhom-root-helper.service felhom-agent.service)
# The conffiles, declared once: "source-in-repo:installed-path". Each is shipped only if its source exists.
conffiles=(
  deploy/agent.example.json:/etc/felhom/agent.json
  deploy/golden-policy.json:/etc/felhom/golden-policy.json
)

# 1. A clean build: no stale dist/, tsbuildinfo or addon from an earlier build can slip in.
say "clean build of $version ($arch)"
rm -rf packages/*/dist packages/*/tsconfig.build.tsbuildinfo packages/*/*.tsbuildinfo packages/root-helper/native/build
find . -path ./node_modules -prune -o -name '*.tsbuildinfo' -print0 | xargs -0 rm -f
npm run build >&2

# 2. The tree, root-owned in the archive (dpkg-deb --root-owner-group).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg=$work/felhom
mkdir -p "$pkg/DEBIAN"

copy() { # copy SRC DEST MODE: one file, parents 0755
  install -D -m "$3" "$1" "$pkg$2"
}

for p in "${packages[@]}"; do
  copy "packages/$p/package.json" "$lib/packages/$p/package.json" 0644
  (cd "packages/$p" && find dist -type f -name '*.js' -print0) | while IFS= read -r -d '' f; do
    copy "packages/$p/$f" "$lib/packages/$p/$f" 0644
  done
  mkdir -p "$pkg$lib/node_modules/@felhom"
  ln -s "../../packages/$p" "$pkg$lib/node_modules/@felhom/$p"
done

# The peer-credential addon, stripped as Debian policy asks.
addon=packages/root-helper/native/build/Release/peercred.node
copy "$addon" "$lib/packages/root-helper/native/build/Release/peercred.node" 0644
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
  "$pkg$lib/packages/root-helper/native/build/Release/peercred.node"

# Production dependencies only, as npm resolved them in package-lock.json for the shipped workspaces; their
# runtime files only (no tests, docs, type declarations or sources maps).
deps=$(npm ls --omit=dev --all --parseable "${packages[@]/#/--workspace=@felhom/}" 2>/dev/null |
  sed "s#^$repo/##" | grep '^node_modules/' | grep -v '^node_modules/@felhom/' | sort -u)
[ -n "$deps" ] || { say "npm ls found no production dependencies"; exit 1; }
for d in $deps; do
  (cd "$d" && find . \( -path ./node_modules -o -path './.*' -o -name test -o -name tests -o -name benchmarks -o -name bench \
    -o -name docs -o -name examples -o -name .github \) -prune -o -type f \
    ! -name '*.d.ts' ! -name '*.d.mts' ! -name '*.d.cts' ! -name '*.map' ! -name '*.ts' ! -name '*.mts' \
    ! -name '*.md' ! -name '.*' ! -name 'tsconfig*.json' ! -name '*.sh' ! -name '*.ico' ! -name '*.html' \
    ! -name 'CNAME' -print0) | while IFS= read -r -d '' f; do
    copy "$d/${f#./}" "$lib/$d/${f#./}" 0644
  done
done
# A file that starts with #! is a script (node FILE runs it either way): executable, as lintian expects.
find "$pkg$lib" -type f -name '*.js' -exec grep -l -m1 '^#!' {} + | while IFS= read -r f; do
  [ "$(head -c2 "$f")" = '#!' ] && chmod 0755 "$f"
done

# The CLI.
mkdir -p "$pkg/usr/bin"
printf '#!/bin/sh\n# The felhom CLI (Debian package felhom).\nexec /usr/bin/node %s/packages/agent/dist/cli.js "$@"\n' \
  "$lib" >"$pkg/usr/bin/felhom"
chmod 0755 "$pkg/usr/bin/felhom"

mkdir -p "$pkg/usr/share/man/man1"
gzip -9n -c deploy/debian/felhom.1 >"$pkg/usr/share/man/man1/felhom.1.gz"
chmod 0644 "$pkg/usr/share/man/man1/felhom.1.gz"

# Units, sysusers.d, tmpfiles.d.
for u in "${units[@]}"; do copy "deploy/$u" "/usr/lib/systemd/system/$u" 0644; done
copy deploy/felhom.sysusers.conf /usr/lib/sysusers.d/felhom.conf 0644
copy deploy/felhom.tmpfiles.conf /usr/lib/tmpfiles.d/felhom.conf 0644

# Conffiles.
: >"$pkg/DEBIAN/conffiles"
for c in "${conffiles[@]}"; do
  src=${c%%:*} dest=${c#*:}
  [ -f "$src" ] || continue
  copy "$src" "$dest" 0644
  echo "$dest" >>"$pkg/DEBIAN/conffiles"
done

# Documentation, copyright, changelog.
doc=/usr/share/doc/felhom
copy README.md "$doc/README.md" 0644
copy SECURITY.md "$doc/SECURITY.md" 0644
copy deploy/README.md "$doc/deploy.md" 0644
copy packages/agent/README.md "$doc/agent.md" 0644
copy packages/root-helper/SECURITY.md "$doc/root-helper-SECURITY.md" 0644
gzip -9n "$pkg$doc"/*.md
node scripts/package/copyright.mjs $deps >"$work/copyright"
copy "$work/copyright" "$doc/copyright" 0644
changelog=$work/changelog
if [ "$version" != "$(sed -n '1s/^felhom (\([^)]*\)).*/\1/p' deploy/debian/changelog)" ]; then
  # A build of another version (the upgrade test, a local build) gets its own entry on top.
  {
    printf 'felhom (%s) unstable; urgency=medium\n\n  * Local build of %s.\n\n' "$version" "$(git describe --always --dirty 2>/dev/null || echo unknown)"
    printf ' -- %s  %s\n\n' "$(sed -n 's/^ -- \(.*>\)  .*/\1/p' deploy/debian/changelog | head -1)" \
      "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
    cat deploy/debian/changelog
  } >"$changelog"
else
  cp deploy/debian/changelog "$changelog"
fi
gzip -9n -c "$changelog" >"$pkg$doc/changelog.gz"
chmod 0644 "$pkg$doc/changelog.gz"

# 3. Maintainer scripts and control.
for s in postinst prerm postrm; do install -m 0755 "deploy/debian/$s" "$pkg/DEBIAN/$s"; done
mkdir -p "$work/shlibs/debian"
printf 'Source: felhom\n\nPackage: felhom\nArchitecture: any\n' >"$work/shlibs/debian/control"
# napi_* symbols come from the node executable that loads the addon, so "found in none of the libraries" is expected.
shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O --warnings=6 "$pkg$lib/packages/root-helper/native/build/Release/peercred.node" |
  sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { say "dpkg-shlibdeps found no shared-library dependency for the addon"; exit 1; }
installed_size=$(du -k -s --apparent-size --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SHLIBS@/$shlibs/" \
  -e "s/@INSTALLED_SIZE@/$installed_size/" deploy/debian/control >"$pkg/DEBIAN/control"
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
  >"$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/md5sums" "$pkg/DEBIAN/conffiles" "$pkg/DEBIAN/control"
find "$pkg" -type d -exec chmod 0755 {} +
find "$pkg" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$out_dir"
deb=$out_dir/felhom_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >&2
say "$(du -k "$deb" | cut -f1) KiB, installed $installed_size KiB"
echo "$deb"
