#!/usr/bin/env bash
# The language harness: `npm run package` builds the npm tarball, the Python wheel, the Java jar
# and the Go module into lang/; then each is used the way its users would use it.
#   npm     the packed tarball, installed into a fresh project: synth, audit, the cdk8s-cli plugin,
#           the README's TypeScript example (type-checked, run, byte-identical output)
#   python  pytest: the example shop must write dist/shop.k8s.yaml byte for byte, the README's example
#           test/lang/readme/shop.k8s.yaml; errors arrive intact
#   java    Maven + JUnit: the same
#   go      go test: the same
#
#   bash test/lang/run.sh                 # all of them
#   bash test/lang/run.sh python go       # some of them
#
# Needs node_modules (npm ci), dist/ from `npm run synth` (committed; test/dist.test.ts keeps it
# equal to the example), python3 with venv, Java 17 + Maven and Go; installs the rest (PyPI
# packages into lang/test/venv, Maven artifacts into ~/.m2, Go modules into the module cache, npm
# packages from the npm cache or registry).
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"

if [ "$#" -gt 0 ]; then suites=("$@"); else suites=(npm python java go); fi
work="$root/lang/test"                     # lang/ is gitignored build output
export LANG_EXPECTED_DIR="$root/dist"
# What the README's usage example writes, in every language (test/readme-examples.test.ts checks
# the TypeScript one and that each README block is the file its language's suite runs).
export LANG_README_EXPECTED="$root/test/lang/readme/shop.k8s.yaml"
export PYTHONDONTWRITEBYTECODE=1
# jsii's runtime prints an end-of-support banner on Node 20 in every language; it still works.
[ "$(node -p 'process.versions.node.split(".")[0]')" = 20 ] && export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

step() { echo "[lang] $*"; }

mkdir -p "$work"
rm -f "$work/results.json"
step "packages (npm, Python, Java, Go) into lang/; the cdk8s bindings are rebuilt only when lang/deps.json does not match node_modules"
started=$SECONDS
if ! npm run --silent package; then
  step "packages FAILED after $((SECONDS - started)) s: every suite fails"
  printf '{"passed": 0, "failed": %d}\n' "${#suites[@]}" > "$work/results.json"
  exit 1
fi
step "packages built in $((SECONDS - started)) s"

run_npm() {
  node --test test/lang/npm/package.test.js
}

run_python() {
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --disable-pip-version-check -q -r test/lang/python/requirements.txt
  "$work/venv/bin/pip" install --disable-pip-version-check -q --no-deps --force-reinstall lang/python/cdk8s_resilient-*.whl
  (cd test/lang/python && "$work/venv/bin/python" -m pytest -q -p no:cacheprovider)
}

run_java() {
  # Maven copies a release from lang/java into its local repository once and never looks at
  # lang/java again for that version: without this the test runs the jar of an earlier build.
  local m2
  m2="$(sed -n 's/.*-Dmaven\.repo\.local=\([^ ]*\).*/\1/p' <<<"${MAVEN_OPTS:-}")"
  rm -rf "${m2:-$HOME/.m2/repository}/io/github/cdk8s-resilient/cdk8s-resilient"
  mvn -B -q -f test/lang/java/pom.xml -Dsurefire.printSummary=true test
}

run_go() {
  (cd test/lang/go && GOFLAGS=-mod=readonly go test -count=1 ./...)
}

passed=0
failed=0
for suite in "${suites[@]}"; do
  case "$suite" in npm|python|java|go) ;; *) echo "unknown suite: $suite (npm, python, java, go)" >&2; exit 2 ;; esac
  step "$suite"
  started=$SECONDS
  if "run_$suite"; then
    step "$suite passed in $((SECONDS - started)) s"
    passed=$((passed + 1))
  else
    step "$suite FAILED after $((SECONDS - started)) s"
    failed=$((failed + 1))
  fi
done

# .ci/run adds these counts to jest's.
printf '{"passed": %d, "failed": %d}\n' "$passed" "$failed" > "$work/results.json"
echo "lang: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
