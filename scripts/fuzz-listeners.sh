#!/usr/bin/env bash
# Long run of the listener fuzzer (server/src/test/.../StreamFuzzIT.java): random bytes, mutated
# NCF/NCFX, slow writers, idle half-open connections and absurd lengths against a collector while a
# well-behaved agent and subscriber must lose nothing. Usage: bash scripts/fuzz-listeners.sh [SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-300}"
mvn -B -q verify -pl server -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false -Dit.test=StreamFuzzIT \
  -Dtest.jvm.args="-Dmirrorgate.fuzz.seconds=$seconds" 2>&1 | grep -E "stream fuzz:|Tests run:|FAIL" || true
grep -rh "stream fuzz:" server/target/failsafe-reports/ 2>/dev/null | head -1 || true
