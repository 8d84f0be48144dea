#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang, ASan + UBSan, fuzz/) and runs them.
#
#   bash scripts/fuzz.sh                       # every target, 600 s each (the long run)
#   bash scripts/fuzz.sh --target http_request --seconds 3600
#   bash scripts/fuzz.sh --ci                  # every target briefly (scripts/test.sh runs this)
#   bash scripts/fuzz.sh --list                # the targets
#
# Options: --target NAME (repeatable; default all), --seconds N per target, --jobs J targets at a
# time (default: the number of cores), --no-build. Each target starts from its seeds
# (fuzz/corpus/<target>/) and regressions (fuzz/regressions/<target>/); inputs it finds go to
# build/fuzz/corpus/<target>/ (kept between runs, never committed), logs to build/fuzz/logs/.
# A crash leaves build/fuzz/artifacts/<target>/crash-* and fails the run: fix the bug (test first),
# then copy the input into fuzz/regressions/<target>/ so the CTest suite replays it
# (fuzz_replay_<target>; docs/adr/0017-fuzzing.md). The summary (executions/s, coverage) is
# build/fuzz/summary.tsv. Set KIT_BUILD_LOCK=FILE to take that lock (flock) around the build.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

seconds=600
jobs=$(nproc)
build=1
ci=0
targets=()
all_targets() { sed -n '/^set(KIT_FUZZ_TARGETS/,/)/p' fuzz/CMakeLists.txt | tr -d '()' | tail -n +2 | tr -s ' \n' '\n' | grep -v '^$'; }
while (($#)); do
  case "$1" in
    --target) targets+=("$2"); shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --ci) ci=1; seconds=8; shift ;;
    --no-build) build=0; shift ;;
    --list) all_targets; exit 0 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
((${#targets[@]})) || mapfile -t targets < <(all_targets)
for t in "${targets[@]}"; do
  [ -f "fuzz/$t.cpp" ] || { echo "fuzz.sh: no target $t (fuzz.sh --list)" >&2; exit 2; }
done

if ((build)); then
  lock=()
  [ -n "${KIT_BUILD_LOCK:-}" ] && lock=(flock "$KIT_BUILD_LOCK")
  echo "== fuzz: configure and build (clang, ASan + UBSan + libFuzzer)"
  "${lock[@]}" cmake --preset fuzz >/dev/null
  "${lock[@]}" cmake --build --preset fuzz -j "$(nproc)" --target $(printf 'fuzz_%s ' "${targets[@]}")
fi

out=build/fuzz
mkdir -p "$out/logs" "$out/artifacts"
run_one() {
  local t=$1 seconds=$2 out=$3
  local corpus="$out/corpus/$t" log="$out/logs/$t.log"
  mkdir -p "$corpus" "$out/artifacts/$t" "fuzz/regressions/$t"
  local dict=()
  [ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
  local status=0
  # -timeout: one input running this long is a finding (a hang); -rss_limit_mb likewise for memory.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$out/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 \
    -print_final_stats=1 "${dict[@]}" -artifact_prefix="$out/artifacts/$t/" \
    "$corpus" "fuzz/corpus/$t" "fuzz/regressions/$t" >"$log" 2>&1 || status=$?
  local last execs cov ft
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\) .*/\1/p' <<<"$last")
  local rate
  rate=$(sed -n 's/.* exec\/s: \([0-9]*\) .*/\1/p' <<<"$last")
  local result=ok
  ((status == 0)) || result="CRASH (exit $status; $log, $out/artifacts/$t/)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$seconds" "${execs:-0}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$result"
}
export -f run_one

echo "== fuzz: ${#targets[@]} targets, ${seconds} s each, ${jobs} at a time"
printf 'target\tseconds\texecutions\texec_per_s\tcov\tft\tresult\n' >"$out/summary.tsv"
printf '%s\n' "${targets[@]}" |
  xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "$seconds" "$out" >>"$out/summary.tsv"
column -t -s $'\t' "$out/summary.tsv"
if grep -q CRASH "$out/summary.tsv"; then
  echo "fuzz: a target crashed; the input is in $out/artifacts/<target>/ (see the log)" >&2
  exit 1
fi
((ci)) && echo "== fuzz: every target ran ${seconds} s without a finding"
exit 0
