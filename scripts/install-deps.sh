#!/usr/bin/env bash
# Installs the Debian 12 packages KIT builds and tests with, only those not yet installed.
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  clang libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev python3-aiosmtpd  # reminders: SMTP client; the tests' SMTP server
  libboost-dev libboost-system-dev nlohmann-json3-dev libcli11-dev
  libsqlitecpp-dev libsqlite3-dev libpqxx-dev libsodium-dev libspdlog-dev libfmt-dev libtomlplusplus-dev libhowardhinnant-date-dev tzdata
  postgresql
  nginx openssl
  python3 python3-numpy python3-scipy python3-jsonschema
  e2fsprogs util-linux  # tests/api/test_storage_faults.py: mkfs.ext4, e2fsck; mount, losetup
  chromium fonts-dejavu-core
  poppler-utils  # pdftotext: tests/api/test_reports.py reads the printed reports back
)
# The web application needs Node.js >= 20.19 with npm 11 (the machine's own, not Debian's nodejs
# 18); scripts/build-web.sh checks and says so.
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
