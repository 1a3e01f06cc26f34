#!/usr/bin/env bash
# The language harness: Python (pytest), Java (Maven + JUnit) and Go (go test) programs that must
# synthesize the same YAML as the TypeScript side, byte for byte. Each language's own test runner
# does the comparison and prints a diff when it fails.
#
#   bash test/lang/run.sh                 # all three
#   bash test/lang/run.sh python go       # some of them
#
# Needs node_modules (npm ci), python3 with venv, Java 17 + Maven and Go; installs the rest
# (PyPI packages into lang/test/venv, Maven artifacts into ~/.m2, Go modules into the module cache).
#
# Today the programs build a toolchain probe (test/lang/probe/probe.js and its three twins) on
# cdk8s-plus-27 alone: the Java and Go bindings come from `npm run package:deps`. Once the library
# compiles with jsii, `npm run package` builds its own packages too and the programs build the
# example shop, compared with dist/shop.k8s.yaml.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"

if [ "$#" -gt 0 ]; then langs=("$@"); else langs=(python java go); fi
work="$root/lang/test"                     # lang/ is gitignored build output
export LANG_EXPECTED_DIR="$work/expected"
export PYTHONDONTWRITEBYTECODE=1
# jsii's runtime prints an end-of-support banner on Node 20 in every language; it still works.
[ "$(node -p 'process.versions.node.split(".")[0]')" = 20 ] && export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

step() { echo "[lang] $*"; }

rm -f "$work/results.json"
step "bindings of constructs, cdk8s and cdk8s-plus-27 (skipped while lang/deps.json matches node_modules)"
npm run --silent package:deps

step "TypeScript reference output"
rm -rf "$LANG_EXPECTED_DIR"
node test/lang/probe/probe.js "$LANG_EXPECTED_DIR"

run_python() {
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --disable-pip-version-check -q -r test/lang/python/requirements.txt
  (cd test/lang/python && "$work/venv/bin/python" -m pytest -q -p no:cacheprovider)
}

run_java() {
  mvn -B -q -f test/lang/java/pom.xml -Dsurefire.printSummary=true test
}

run_go() {
  (cd test/lang/go && GOFLAGS=-mod=readonly go test -count=1 ./...)
}

passed=0
failed=0
for lang in "${langs[@]}"; do
  case "$lang" in python|java|go) ;; *) echo "unknown language: $lang (python, java, go)" >&2; exit 2 ;; esac
  step "$lang"
  started=$SECONDS
  if "run_$lang"; then
    step "$lang passed in $((SECONDS - started)) s"
    passed=$((passed + 1))
  else
    step "$lang FAILED after $((SECONDS - started)) s"
    failed=$((failed + 1))
  fi
done

# .ci/run adds these counts to jest's.
printf '{"passed": %d, "failed": %d}\n' "$passed" "$failed" > "$work/results.json"
echo "lang: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
