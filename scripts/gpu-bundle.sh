#!/usr/bin/env bash
# Bundles the GPU binaries for a machine with a GPU but none of our Debian libraries (docs/gpu.md):
# copies them, the shared libraries `ldd` lists (not glibc's own nor the driver's libcuda), the
# sample data and scripts/gpu-check.sh into one folder (default build-gpu-bundle/, ignored by git).
#   scripts/gpu-bundle.sh build-gpu [build-gpu-bundle]
set -euo pipefail
build=${1:?usage: gpu-bundle.sh <build dir> [bundle dir]}
dest=${2:-build-gpu-bundle}
root=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$dest"
mkdir -p "$dest/bin" "$dest/lib" "$dest/data"
bins=(tests/gpu/gpu_tests tests/gpu/gpu_device_logic_tests bench/gpu/bench_gpu
      examples/dedup/millrace-dedup examples/gen_corpus/millrace-gen-corpus)
for b in "${bins[@]}"; do
  if [[ -x "$build/$b" ]]; then cp "$build/$b" "$dest/bin/"; else echo "gpu-bundle: missing $build/$b (build it first)" >&2; exit 1; fi
done
for b in "$dest"/bin/*; do
  ldd "$b" | awk '/=> \// {print $3}' | while read -r lib; do
    case "$(basename "$lib")" in
      libc.so*|libm.so*|libpthread.so*|libdl.so*|librt.so*|ld-linux*|libcuda.so*) ;;
      *) cp -n "$lib" "$dest/lib/" ;;
    esac
  done
done
cp "$root/data/sample/sample.jsonl.zst" "$dest/data/"
cp "$root/scripts/gpu-check.sh" "$dest/"
echo "gpu-bundle: $(ls "$dest/bin" | wc -l) binaries, $(ls "$dest/lib" | wc -l) libraries, $(du -sh "$dest" | cut -f1) in $dest"
