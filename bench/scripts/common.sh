# Shared by the bench scripts that time mirrorgate against a reference tool in one run:
# `cd` to the repository root, build first (so timings are of the runs alone), and two helpers.
# Source it: . "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bin/mirrorgate --version >/dev/null
export TZ=UTC

# calc EXPR: awk arithmetic, 6 decimals.
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
# seconds CMD...: wall-clock seconds CMD takes, its output discarded.
seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); calc "$e - $s"; }
