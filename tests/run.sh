#!/usr/bin/env bash
# The one test command, for people and CI alike: the exporter's pytest suite, then every .NET test project.
# Both always run; the last line is the combined count, "tests: N passed, N failed[, N skipped]".
# Exits non-zero if any test failed, a runner could not run (e.g. a build error), or no test ran at all.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

python="${PYTHON:-/usr/bin/python3}"
artifacts="${GLIDE_TEST_ARTIFACTS:-$repo/artifacts/test-results}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

rm -rf "$artifacts"
mkdir -p "$artifacts/dotnet"
runner_failures=()

echo "== pytest tests/export"
pytest_rc=0
"$python" -m pytest tests/export -q -p no:cacheprovider --junitxml="$artifacts/pytest.xml" || pytest_rc=$?
case "$pytest_rc" in
    0 | 1) ;; # 1 = some tests failed; they are counted below
    5) runner_failures+=("pytest collected no tests in tests/export (exit 5)") ;;
    *) runner_failures+=("pytest could not run (exit $pytest_rc)") ;;
esac

echo "== dotnet test GlideFunctions.sln"
# Each test project writes <project>.trx here (VSTestLogger in tests/Directory.Build.props).
dotnet_rc=0
dotnet test GlideFunctions.sln -c Release --results-directory "$artifacts/dotnet" || dotnet_rc=$?
if [[ "$dotnet_rc" -ne 0 ]] && ! compgen -G "$artifacts/dotnet/*.trx" > /dev/null; then
    runner_failures+=("dotnet test produced no results (exit $dotnet_rc; a build error?)")
fi

# Sum the JUnit XML and TRX files; prints "passed failed skipped".
counts="$("$python" - "$artifacts" <<'PY'
import glob
import os
import sys
import xml.etree.ElementTree as ET

artifacts = sys.argv[1]
passed = failed = skipped = 0

junit = os.path.join(artifacts, "pytest.xml")
if os.path.exists(junit):
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    for suite in suites:
        total = int(suite.get("tests", 0))
        bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skip = int(suite.get("skipped", 0))
        passed += total - bad - skip
        failed += bad
        skipped += skip

for trx in glob.glob(os.path.join(artifacts, "dotnet", "*.trx")):
    for result in ET.parse(trx).getroot().iter():
        if result.tag.rsplit("}", 1)[-1] != "UnitTestResult":
            continue
        outcome = result.get("outcome", "")
        if outcome == "Passed":
            passed += 1
        elif outcome in ("NotExecuted", "Inconclusive"):
            skipped += 1
        else:
            failed += 1

print(passed, failed, skipped)
PY
)" || { runner_failures+=("could not read the test result files"); counts="0 0 0"; }
read -r passed failed skipped <<< "$counts"

if [[ "$dotnet_rc" -ne 0 && "$failed" -eq 0 ]]; then
    runner_failures+=("dotnet test failed (exit $dotnet_rc) without a failed test to show for it")
fi
if [[ $((passed + failed + skipped)) -eq 0 ]]; then
    runner_failures+=("no tests ran")
fi

for failure in "${runner_failures[@]}"; do
    echo "run.sh: $failure" >&2
done

summary="tests: $passed passed, $failed failed"
if [[ "$skipped" -gt 0 ]]; then
    summary+=", $skipped skipped"
fi
echo "$summary"

if [[ "$failed" -gt 0 || ${#runner_failures[@]} -gt 0 ]]; then
    exit 1
fi
