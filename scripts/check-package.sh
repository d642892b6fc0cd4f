#!/usr/bin/env bash
# Checks that `azd package` / `azd up` produces a package that runs: replays, on a temporary copy of the
# project as a fresh clone has it, what azd does for the `api` service of azure.yaml, in azd's order:
#
#   1. restore:     npm install --no-audit --no-fund --prefer-offline, unless node_modules is up to date
#                   with package-lock.json (azd's own test: node_modules/.package-lock.json not older)
#   2. prepackage:  the hook's `run` command from azure.yaml (posix)
#   3. package:     npm run build --if-present, then the `dist` folder is what azd zips
#
# then moves that folder away from the project (so Node cannot find the project's node_modules, which hold
# the dev dependencies) and checks it: host.json and package.json at the root, no dev-only package in
# node_modules, and every function module that package.json's `main` glob names loads and registers at least
# one function, with NODE_PATH cleared. The Functions worker provides `@azure/functions-core` in Azure; here
# the local host's stand-in answers for it (dist/scripts/local-host/register.js, copied out of the project).
#
# The copy reuses the project's node_modules (hard links: nothing writes into them) when they are up to
# date, as azd would; CHECK_PACKAGE_FRESH_INSTALL=1 installs from scratch instead, as on a fresh clone.
#
#   bash scripts/check-package.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/check-package.XXXXXX")"
trap 'rm -rf "$work"' EXIT
project="$work/project"
package="$work/package"
stub="$work/functions-core-stub"

say() { echo "check-package: $*" >&2; }
fail() {
  say "FAILED: $*"
  exit 1
}

# The hook command and the package folder, as azure.yaml says (its `api` service is the only one).
yaml="$root/azure.yaml"
hook="$(awk '/^ *prepackage:/ { p = 1 } p && /^ *posix:/ { q = 1 } q && /^ *run:/ { sub(/^ *run: */, ""); print; exit }' "$yaml")"
dist="$(awk '/^ *dist:/ { sub(/^ *dist: */, ""); print; exit }' "$yaml")"
[ -n "$hook" ] || fail "no posix prepackage hook (run:) found in azure.yaml"
[ -n "$dist" ] || fail "no dist: found in azure.yaml (the folder azd zips)"

# A fresh clone: tracked files and new files not ignored, as they are in the working tree.
mkdir -p "$project"
(
  cd "$root"
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' file; do [ -e "$file" ] && printf '%s\0' "$file"; done |
    tar --null -T - -cf -
) | tar -xf - -C "$project"

cd "$project"
if [ -z "${CHECK_PACKAGE_FRESH_INSTALL:-}" ] && [ -d "$root/node_modules" ]; then
  cp -al "$root/node_modules" node_modules 2>/dev/null || cp -a "$root/node_modules" node_modules
fi
if [ -f node_modules/.package-lock.json ] && [ ! node_modules/.package-lock.json -ot package-lock.json ]; then
  say "restore: node_modules is up to date with package-lock.json (azd skips npm install then)"
else
  rm -rf node_modules # never install through hard links into the project's own node_modules
  say "restore: npm install"
  npm install --no-audit --no-fund --prefer-offline --loglevel=error >&2
fi
say "prepackage hook: $hook"
sh -c "$hook" >&2
say "package: npm run build --if-present"
npm run build --if-present --silent >&2
[ -d "$project/$dist" ] || fail "the hook did not create $dist/, the folder azd zips"

# What azd zips: the dist folder, less a .funcignore's patterns (if it has one), local.settings.json and .azure/.
[ ! -e "$project/$dist/.funcignore" ] || fail "$dist/.funcignore exists: azd would apply it to the package; check it"
mv "$project/$dist" "$package"
mkdir -p "$stub"
cp dist/scripts/local-host/{register,resolve-functions-core,functions-core}.js "$stub/"
cd "$work"
rm -rf "$project"

say "checking the package ($(du -sh "$package" | cut -f1))"
cd "$package"
env -u NODE_PATH node -r "$stub/register.js" - <<'EOF' || fail "the package does not run as deployed (see above)"
const fs = require('node:fs');
const path = require('node:path');

const problems = [];
const here = process.cwd();

// Nothing above the package may hold a node_modules that Node would fall back to.
for (let dir = path.dirname(here); ; dir = path.dirname(dir)) {
  if (fs.existsSync(path.join(dir, 'node_modules'))) problems.push(`${dir}/node_modules exists above the package`);
  if (dir === path.dirname(dir)) break;
}

for (const file of ['host.json', 'package.json', 'package-lock.json']) {
  if (!fs.existsSync(file)) problems.push(`${file} is missing at the root of the package`);
}
if (fs.existsSync('local.settings.json')) problems.push('local.settings.json is in the package');

// Production dependencies only: no package the lockfile marks dev-only.
const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
const devOnly = Object.entries(lock.packages ?? {})
  .filter(([where, entry]) => where.startsWith('node_modules/') && entry.dev === true)
  .map(([where]) => where)
  .filter((where) => fs.existsSync(where));
if (devOnly.length > 0) problems.push(`dev-only packages in the package: ${devOnly.slice(0, 10).join(', ')}${devOnly.length > 10 ? ', …' : ''}`);

// Every module of package.json's main glob (dist/functions/*.js) loads and registers functions.
const { main } = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const dir = path.dirname(main);
const namePattern = path.basename(main);
if (typeof main !== 'string' || dir.includes('*')) {
  problems.push(`package.json main must be <folder>/<file glob>, is ${JSON.stringify(main)}`);
} else {
  const escape = (s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const matches = new RegExp(`^${namePattern.split('*').map(escape).join('[^/]*')}$`);
  const modules = fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => matches.test(name)).sort() : [];
  if (modules.length === 0) problems.push(`package.json main ${main} matches no file in the package`);
  // A module may import another one (whose functions then register while the first loads), so what counts
  // is that every module is among the source files of some registration once all are loaded.
  const core = require('@azure/functions-core');
  for (const name of modules) {
    try {
      require(path.resolve(dir, name));
    } catch (error) {
      problems.push(`${dir}/${name} does not load: ${String(error?.message ?? error).split('\n')[0]}`);
    }
  }
  const registrations = core.getRegisteredFunctions();
  for (const name of modules) {
    const file = path.resolve(dir, name);
    const names = registrations.filter((f) => f.sourceFiles.includes(file)).map((f) => f.metadata.name);
    if (names.length > 0) console.error(`  ok  ${dir}/${name}: ${names.join(', ')}`);
    else if (!problems.some((p) => p.startsWith(`${dir}/${name} `))) problems.push(`${dir}/${name} registers no function`);
  }
}

if (problems.length > 0) {
  for (const problem of problems) console.error(`  FAIL ${problem}`);
  process.exit(1);
}
EOF
say "the package loads with production dependencies only"
