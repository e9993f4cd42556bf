#!/usr/bin/env bash
# Compile time and compiler memory of a user's translation unit, against the floor of a unit that
# includes only the same dependency headers (oneTBB, fmt, simdjson, zstd, ... and the standard
# library), in both modes: header-only (the default) and separate compilation (millrace::compiled,
# -DMILLRACE_SEPARATE_COMPILATION). Prints CPU seconds (user+sys), peak RSS and the ratios.
#   bash bench/compile_time/run.sh [--reps N]        (the minimum of N compiles is reported)
# The dependency-only units are generated here from `g++ -H` (every header outside include/millrace
# that a millrace header includes directly), so they follow the headers as they change.
set -euo pipefail
cd "$(dirname "$0")/../.."
reps=1
[[ "${1:-}" == "--reps" ]] && reps="$2"
cxx="${CXX:-g++}"
flags=(-O3 -DNDEBUG -std=c++20 -DFMT_SHARED -DSIMDJSON_THREADS_ENABLED=1 -Iinclude -w)
work="$(mktemp -d -t millrace-compile-time.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# deps_of <source> <mode flags...>: writes the dependency-only unit of <source> to stdout
deps_of() {
  local src="$1"; shift
  "$cxx" "${flags[@]}" "$@" -H -fsyntax-only "$src" 2>&1 >/dev/null | python3 -c '
import sys
root = "include/millrace"
stack, deps = [], []
for line in sys.stdin:
    line = line.rstrip("\n")
    dots = len(line) - len(line.lstrip("."))
    if dots == 0 or not line[dots:].startswith(" "):
        continue
    path = line[dots + 1:]
    del stack[dots - 1:]
    parent = stack[-1] if stack else ""
    if root in parent and root not in path and path not in deps:
        deps.append(path)
    stack.append(path)
for d in deps:
    print("#include \"%s\"" % d)
print("int main() { return 0; }")
'
}

# measure <source> <mode flags...>: prints "cpu_s peak_mb" (minimum over the reps)
measure() {
  local src="$1"; shift
  local best_cpu="" best_mb=""
  for ((i = 0; i < reps; ++i)); do
    /usr/bin/time -f "%U %S %M" -o "$work/time" "$cxx" "${flags[@]}" "$@" -c "$src" -o "$work/out.o"
    read -r u s kb < "$work/time"
    local cpu mb
    cpu=$(python3 -c "print(f'{$u + $s:.2f}')")
    mb=$((kb / 1024))
    if [[ -z "$best_cpu" ]] || python3 -c "import sys; sys.exit(0 if $cpu < $best_cpu else 1)"; then best_cpu=$cpu; fi
    if [[ -z "$best_mb" || $mb -lt $best_mb ]]; then best_mb=$mb; fi
  done
  echo "$best_cpu $best_mb"
}

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

echo "compiler: $("$cxx" --version | head -1); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(nproc) cores"
echo "flags: ${flags[*]}; minimum of $reps compile(s)"
printf "%-34s %-10s %9s %8s %11s %11s\n" "unit" "mode" "cpu s" "peak MB" "x deps(HO)" "x own deps"
for src in examples/readme/readme_example.cpp examples/core_tour/hello_pipeline.cpp; do
  name="$(basename "$src" .cpp)"
  deps_of "$src" > "$work/${name}_deps_ho.cpp"
  deps_of "$src" -DMILLRACE_SEPARATE_COMPILATION > "$work/${name}_deps_sc.cpp"
  read -r dho_cpu dho_mb < <(measure "$work/${name}_deps_ho.cpp")
  read -r dsc_cpu dsc_mb < <(measure "$work/${name}_deps_sc.cpp")
  read -r ho_cpu ho_mb < <(measure "$src")
  read -r sc_cpu sc_mb < <(measure "$src" -DMILLRACE_SEPARATE_COMPILATION)
  printf "%-34s %-10s %9s %8s %11s %11s\n" "$name deps only" "header" "$dho_cpu" "$dho_mb" "1.00" "1.00"
  printf "%-34s %-10s %9s %8s %11s %11s\n" "$name deps only" "compiled" "$dsc_cpu" "$dsc_mb" "$(ratio "$dsc_cpu" "$dho_cpu")" "1.00"
  printf "%-34s %-10s %9s %8s %11s %11s\n" "$name" "header" "$ho_cpu" "$ho_mb" "$(ratio "$ho_cpu" "$dho_cpu")" "$(ratio "$ho_cpu" "$dho_cpu")"
  printf "%-34s %-10s %9s %8s %11s %11s\n" "$name" "compiled" "$sc_cpu" "$sc_mb" "$(ratio "$sc_cpu" "$dho_cpu")" "$(ratio "$sc_cpu" "$dsc_cpu")"
done
echo "goals (issue 16): readme_example <= 2.5x its dependency floor and <= 500 MB; hello_pipeline <= 1.5x"
