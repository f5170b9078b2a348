#!/usr/bin/env bash
# Installs (or removes) felhom on a Proxmox VE host: the compiled packages under /usr/lib/felhom, the
# systemd units, the sysusers/tmpfiles snippets, the felhom user and group, and the API token as a
# root-only credential. Idempotent: a second run changes nothing. `--root DIR` stages into DIR instead.
set -euo pipefail
umask 022

usage() {
  cat <<'USAGE'
usage: install.sh [--root DIR] [--from DIR] [--token-file FILE] [--no-enable]
       install.sh --uninstall [--root DIR]

  --root DIR        install into a staging tree (tests, packaging); nothing is started
  --from DIR        take the compiled output from this checkout (default: this script's checkout,
                    built with `npm ci && npm run build` when packages/*/dist is missing)
  --token-file FILE the PVE API token secret (one line); installed root:root 0600 as
                    /etc/felhom/pve-token and handed to the agent by LoadCredential=
  --no-enable       install, but do not enable or start the units
  --uninstall       remove exactly the files listed in the install manifest, and disable the units
USAGE
}

root=""
from=""
token_file=""
enable=1
uninstall=0
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    --from) from="${2:?--from needs a directory}"; shift 2 ;;
    --token-file) token_file="${2:?--token-file needs a file}"; shift 2 ;;
    --no-enable) enable=0; shift ;;
    --uninstall) uninstall=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

[ "$(id -u)" -eq 0 ] || { echo "install.sh: must run as root (files are installed root-owned)" >&2; exit 1; }
if [ -n "$root" ]; then
  mkdir -p "$root"
  root=$(cd "$root" && pwd)
fi

LIB=/usr/lib/felhom
MANIFEST=$LIB/install-manifest
UNITS=(felhom-root-helper.socket felhom-root-helper.service felhom-agent.service)
changed=0

say() { echo "install.sh: $*"; }

# The gid of the felhom group inside the target tree (the staging root has its own /etc/group).
felhom_gid() { awk -F: '$1 == "felhom" { print $3 }' "$root/etc/group"; }

# Puts one file in place with owner and mode, only when content, owner or mode differ.
put() { # put SRC DEST MODE [GROUP_ID]
  local src=$1 dest=$root$2 mode=$3 gid=${4:-0}
  if [ -f "$dest" ] && cmp -s "$src" "$dest" \
      && [ "$(stat -c '%a %u %g' "$dest")" = "$(printf '%o' "0$mode") 0 $gid" ]; then
    echo "$2" >>"$manifest_new"
    return
  fi
  install -D -m "$mode" -o 0 -g "$gid" "$src" "$dest"
  changed=1
  echo "$2" >>"$manifest_new"
}

# Makes one directory with owner and mode (directories are listed in the manifest with a trailing /).
dir() { # dir PATH MODE [GROUP_ID]
  local dest=$root$1 mode=$2 gid=${3:-0}
  if [ ! -d "$dest" ] || [ "$(stat -c '%a %u %g' "$dest")" != "$(printf '%o' "0$mode") 0 $gid" ]; then
    install -d -m "$mode" -o 0 -g "$gid" "$dest"
    changed=1
  fi
}

systemctl_() { if [ -n "$root" ]; then systemctl --root="$root" "$@"; else systemctl "$@"; fi; }

if [ "$uninstall" -eq 1 ]; then
  [ -f "$root$MANIFEST" ] || { echo "install.sh: nothing to uninstall (no $MANIFEST)" >&2; exit 1; }
  systemctl_ disable "${UNITS[@]}" >/dev/null 2>&1 || true
  [ -n "$root" ] || systemctl stop felhom-agent.service felhom-root-helper.service felhom-root-helper.socket || true
  # Files first (deepest first), then the directories we made if they are empty.
  sort -r "$root$MANIFEST" | while IFS= read -r path; do
    case "$path" in
      */) rmdir "$root${path%/}" 2>/dev/null || true ;;
      *) rm -f "$root$path" ;;
    esac
  done
  rm -f "$root$MANIFEST"
  find "$root$LIB" -depth -type d -empty -delete 2>/dev/null || true
  [ -n "$root" ] || systemctl daemon-reload
  say "removed felhom (the felhom user and group are kept, as sysusers.d(5) recommends)"
  exit 0
fi

here=$(cd "$(dirname "$0")/.." && pwd)
from=${from:-$here}
from=$(cd "$from" && pwd)
if [ ! -f "$from/packages/agent/dist/daemon.js" ] || [ ! -f "$from/packages/root-helper/dist/main.js" ]; then
  say "building in $from (npm ci && npm run build)"
  (cd "$from" && npm ci --no-audit --no-fund && npm run build)
fi
[ -z "$token_file" ] || [ -f "$token_file" ] || { echo "install.sh: no such token file: $token_file" >&2; exit 2; }

manifest_new=$(mktemp)
trap 'rm -f "$manifest_new"' EXIT

# 1. The felhom user and group (sysusers.d), and the directories (tmpfiles.d).
put "$from/deploy/felhom.sysusers.conf" /usr/lib/sysusers.d/felhom.conf 0644
put "$from/deploy/felhom.tmpfiles.conf" /usr/lib/tmpfiles.d/felhom.conf 0644
if [ -n "$root" ]; then
  mkdir -p "$root/etc"
  systemd-sysusers --root="$root" "$root/usr/lib/sysusers.d/felhom.conf" >/dev/null
else
  systemd-sysusers /usr/lib/sysusers.d/felhom.conf
fi
gid=$(felhom_gid)
[ -n "$gid" ] || { echo "install.sh: the felhom group was not created" >&2; exit 1; }
dir /etc/felhom 0750 "$gid"
echo /etc/felhom/ >>"$manifest_new"
if [ -z "$root" ]; then systemd-tmpfiles --create /usr/lib/tmpfiles.d/felhom.conf; fi

# 2. The compiled packages and their production dependencies, root-owned, read-only to everyone else.
dir $LIB 0755
echo "$LIB/" >>"$manifest_new"
for f in README.md SECURITY.md package.json; do
  [ -f "$from/$f" ] && put "$from/$f" "$LIB/$f" 0644
done
(cd "$from" && {
  for p in grammar helper-protocol pve-client root-helper agent; do
    find "packages/$p/package.json" "packages/$p/dist" -type f ! -name '*.tsbuildinfo' ! -name '*.map'
  done
  find packages/root-helper/SECURITY.md packages/root-helper/README.md -type f 2>/dev/null || true
  find packages/root-helper/native/build/Release -maxdepth 1 -name '*.node' -type f 2>/dev/null || true
  # Production dependencies only, as npm resolves them for the workspaces.
  { npm ls --omit=dev --all --parseable --workspaces 2>/dev/null || true; } | sed "s#^$from/##" | grep '^node_modules/' |
    sort -u | while IFS= read -r d; do
      if [ -L "$d" ]; then continue; fi
      find "$d" -path "$d/node_modules" -prune -o -type f -print
    done
} | sort -u) >"$manifest_new.files"
/usr/bin/env node "$from/deploy/sync-tree.mjs" "$from" "$root" "$LIB" 644 <"$manifest_new.files" \
  >>"$manifest_new" 2>"$manifest_new.log" || { cat "$manifest_new.log" >&2; exit 1; }
grep -qx 'changed 0' "$manifest_new.log" || changed=1
rm -f "$manifest_new.files" "$manifest_new.log"
# The workspace links, as npm made them (node_modules/@felhom/X -> ../../packages/X).
for p in grammar helper-protocol pve-client root-helper agent; do
  link=$root$LIB/node_modules/@felhom/$p
  if [ "$(readlink "$link" 2>/dev/null)" != "../../packages/$p" ]; then
    mkdir -p "$(dirname "$link")"
    ln -sfn "../../packages/$p" "$link"
    changed=1
  fi
  echo "$LIB/node_modules/@felhom/$p" >>"$manifest_new"
done

# 3. The `felhom` command.
wrapper=$(mktemp)
printf '#!/bin/sh\n# The felhom CLI (installed by deploy/install.sh).\nexec /usr/bin/node %s/packages/agent/dist/cli.js "$@"\n' "$LIB" >"$wrapper"
put "$wrapper" /usr/bin/felhom 0755
rm -f "$wrapper"

# 4. Units, configuration and the token credential.
for u in "${UNITS[@]}"; do put "$from/deploy/$u" "/etc/systemd/system/$u" 0644; done
if [ ! -f "$root/etc/felhom/agent.json" ]; then
  put "$from/deploy/agent.example.json" /etc/felhom/agent.json 0640 "$gid"
elif grep -qx /etc/felhom/agent.json "$root$MANIFEST" 2>/dev/null; then
  echo /etc/felhom/agent.json >>"$manifest_new" # ours from an earlier run, possibly edited since: keep it
fi
if [ -n "$token_file" ]; then
  put "$token_file" /etc/felhom/pve-token 0600
elif grep -qx /etc/felhom/pve-token "$root$MANIFEST" 2>/dev/null; then
  echo /etc/felhom/pve-token >>"$manifest_new"
fi

# 5. The manifest, so --uninstall removes exactly this.
sort -u "$manifest_new" -o "$manifest_new"
put "$manifest_new" "$MANIFEST" 0644

# 6. Enable: the socket (the helper starts on the first connection) and the agent.
if [ "$enable" -eq 1 ]; then
  if [ -n "$root" ]; then
    systemctl --root="$root" enable felhom-root-helper.socket felhom-agent.service >/dev/null 2>&1
  else
    systemctl daemon-reload
    systemctl enable --now felhom-root-helper.socket
    if [ -f /etc/felhom/pve-token ]; then
      systemctl enable --now felhom-agent.service
    else
      systemctl enable felhom-agent.service
      say "no token installed yet: run again with --token-file FILE, then: systemctl start felhom-agent"
    fi
  fi
fi

if [ "$changed" -eq 1 ]; then say "installed into ${root:-/}"; else say "nothing to change in ${root:-/}"; fi
say "check with: felhom doctor"
