#!/usr/bin/env bash
# Compiler launcher that logs "<cpu-seconds> <peak-KB> <object>" per compile into $TIMEIT_LOG
# (default compile-times.log in the working directory), for per_target.py:
#   cmake -S . -B build -DCMAKE_CXX_COMPILER_LAUNCHER=$PWD/bench/compile_time/timeit.sh \
#         -DCMAKE_BUILD_TYPE=Release && TIMEIT_LOG=$PWD/times.log cmake --build build -j2
#   python3 bench/compile_time/per_target.py times.log
log="${TIMEIT_LOG:-$PWD/compile-times.log}"
out=""; prev=""
for a in "$@"; do [[ "$prev" == "-o" ]] && out="$a"; prev="$a"; done
stats="$(mktemp)"
/usr/bin/time -f "%U %S %M" -o "$stats" "$@"; rc=$?
read -r u s m < "$stats"; rm -f "$stats"
echo "$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }') $m $out" >> "$log"
exit $rc
