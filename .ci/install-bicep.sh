#!/usr/bin/env bash
# Installs the Bicep CLI, used by `bicep build` / `bicep lint` and by test/unit/infra.
#
# The CLI is taken from NuGet (package Azure.Bicep.CommandLine.<rid>, which ships the native `bicep`
# executable) with an ordinary `dotnet restore` of .ci/bicep/bicep.csproj into .ci/bicep/packages, and is
# linked at the well-known path .ci/bicep/tools/bicep, where the tests look for it.
#
# Idempotent: a working CLI of the wanted version already at that path is kept. The last line on stdout is the path of the
# bicep executable. Exits non-zero, printing NuGet's own error, when the package cannot be had.
#
# Environment:
#   BICEP_BIN      use this executable instead (checked, then printed; nothing is installed)
#   BICEP_VERSION  package version to install (default below; must exist on the NuGet feed)
#   BICEP_RID      runtime id (default: detected; linux-x64, linux-arm64, linux-musl-x64, osx-x64, osx-arm64)
set -euo pipefail

readonly DEFAULT_VERSION=0.49.2

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project_dir="$root/.ci/bicep"
tool="$project_dir/tools/bicep"
version="${BICEP_VERSION:-$DEFAULT_VERSION}"

works() { [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }
has_version() { "$1" --version 2>/dev/null | grep -q "version $2 "; }

if [ -n "${BICEP_BIN:-}" ]; then
  if works "$BICEP_BIN"; then
    echo "$BICEP_BIN"
    exit 0
  fi
  echo "install-bicep: BICEP_BIN=$BICEP_BIN is not a working bicep executable" >&2
  exit 1
fi

# Already installed at the version wanted (the default, or BICEP_VERSION): keep it. Another version (say, the
# previous default) is replaced, so that bumping DEFAULT_VERSION takes effect on existing checkouts too.
if works "$tool" && has_version "$tool" "$version"; then
  echo "$tool"
  exit 0
fi

detect_rid() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux; [ -f /etc/alpine-release ] && os=linux-musl ;;
    Darwin) os=osx ;;
    *) echo "install-bicep: unsupported OS $(uname -s); set BICEP_BIN" >&2; return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "install-bicep: unsupported CPU $(uname -m); set BICEP_BIN" >&2; return 1 ;;
  esac
  echo "$os-$arch"
}
rid="${BICEP_RID:-$(detect_rid)}"
package="Azure.Bicep.CommandLine.$rid"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-bicep: the dotnet SDK is needed to fetch $package from NuGet (or set BICEP_BIN)" >&2
  exit 1
fi

echo "install-bicep: restoring $package $version from NuGet" >&2
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! dotnet restore "$project_dir/bicep.csproj" --nologo \
  --packages "$project_dir/packages" \
  -p:BicepVersion="$version" -p:BicepRid="$rid" >"$log" 2>&1; then
  echo "install-bicep: could not restore $package $version from NuGet:" >&2
  # NuGet's own words (e.g. NU1101 "Unable to find package ..."), without the project path noise.
  grep -E 'error|warn' "$log" | sed -e "s|$project_dir/||g" -e 's/^ *//' | sort -u >&2 || cat "$log" >&2
  echo "install-bicep: install the Bicep CLI another way (https://aka.ms/bicep-install, or 'az bicep install')" \
    "and set BICEP_BIN to its path" >&2
  exit 1
fi

package_dir="$project_dir/packages/$(echo "$package" | tr '[:upper:]' '[:lower:]')/$version"
binary="$(find "$package_dir" -type f -name bicep -print -quit 2>/dev/null || true)"
if [ -z "$binary" ]; then
  echo "install-bicep: $package $version restored, but no 'bicep' executable was found under $package_dir" >&2
  exit 1
fi
chmod +x "$binary"
mkdir -p "$(dirname "$tool")"
ln -sfn "../${binary#"$project_dir"/}" "$tool"

if ! "$tool" --version >&2; then
  echo "install-bicep: $tool does not run on this machine" >&2
  exit 1
fi
echo "$tool"
