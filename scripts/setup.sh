#!/usr/bin/env bash
# Installs everything the demo and the tests need on a fresh Debian machine (run as root, or with sudo). A second run
# skips what is already in place, so `bash scripts/setup.sh && npm test` is quick after the first time.
# buildah + busybox-static: the embedded-image tests build real images without a Docker daemon; docker-registry: a
# real OCI distribution registry on 127.0.0.1 the base-image tests push to and read from.
# g++/make/cmake/autotools: aws-lambda-ric@3 (the nodejs18-22 runtime client, tests/clients) compiles a native addon.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
packages=(buildah busybox-static docker-registry python3 ruby g++ make cmake autoconf automake libtool)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
fi

# `npm ci` in each npm project, unless its node_modules was installed from the same package.json and lockfile (the
# stamp is written only after a successful install). `npm ci` deletes node_modules first, so skipping it is what makes
# the second run fast.
install_npm_project() {
  local dir=$1 stamp want
  stamp="$dir/node_modules/.setup-stamp"
  want=$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "setup: $dir/node_modules is current"
    return
  fi
  (cd "$dir" && npm ci --no-audit --no-fund)
  echo "$want" >"$stamp"
}
install_npm_project .
install_npm_project tests/clients
# The policy pack (policy/) has its own dependencies, as `pulumi preview --policy-pack policy` expects.
install_npm_project policy
