#!/usr/bin/env bash
# Soak run of a real collector (cli/src/test/.../SoakIT.java): 4 agents, 4 subscribers (one
# slow), files rotated every 10 s, injection at 1,000 frames/s on a veth pair (root). Prints records
# in/out, drops, RSS and file counts. Usage: sudo bash scripts/soak.sh [SECONDS]   (default 600)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-600}"
mvn -B -q -DskipTests package >/dev/null
mvn -B -q verify -pl cli -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false -Dit.test=SoakIT \
  -Dtest.jvm.args="-Dmirrorgate.soak.seconds=$seconds" 2>&1 | grep -E "soak:|Tests run:|FAIL" || true
grep -rh "soak:" server/target/failsafe-reports/ 2>/dev/null | head -1 || true
