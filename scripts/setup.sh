#!/usr/bin/env bash
# Installs everything the demo and the tests need on a fresh Debian machine (run as root, or with sudo).
# buildah + busybox-static: the embedded-image tests build real images without a Docker daemon.
# g++/make/cmake/autotools: aws-lambda-ric@3 (the nodejs18-22 runtime client) compiles a native addon.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
packages=(buildah busybox-static python3 ruby g++ make cmake autoconf automake libtool)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
fi
npm ci --no-audit --no-fund
# The policy pack (policy/) has its own dependencies, as `pulumi preview --policy-pack policy` expects; reinstalled
# only when its lockfile changed since the last install.
lock_sum="$(sha256sum policy/package-lock.json | cut -d' ' -f1)"
if [ "$(cat policy/node_modules/.setup-lock.sha256 2>/dev/null)" != "$lock_sum" ]; then
  (cd policy && npm ci --no-audit --no-fund)
  echo "$lock_sum" > policy/node_modules/.setup-lock.sha256
fi
