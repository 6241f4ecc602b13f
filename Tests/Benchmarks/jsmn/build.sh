#!/usr/bin/env bash
# Builds the C jsmn reference driver for the "json" benchmark.
#   usage: build.sh <output-binary> [strict]
# Uses jsmn.h from Debian's libjsmn-dev (installed here if missing) and our own driver
# jsmn_bench.c, compiled with -O2 and JSMN_PARENT_LINKS, plus JSMN_STRICT when the second argument
# is "strict" (jsmn's validating mode: the fair comparison for our strict tokenizer). On failure it
# prints one line saying why to stderr and exits non-zero; the benchmark then prints "C jsmn
# unavailable: <why>".
set -u
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/jsmn_bench}"
defines="-DJSMN_PARENT_LINKS"
if [ "${2:-}" = "strict" ]; then defines="-DJSMN_STRICT $defines"; fi

find_header() {
    for dir in /usr/include /usr/local/include; do
        if [ -f "$dir/jsmn.h" ]; then echo "$dir"; return 0; fi
    done
    return 1
}

if ! find_header >/dev/null; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "jsmn.h not found and apt-get is not available" >&2; exit 3
    fi
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q libjsmn-dev >/dev/null 2>&1; then
        # The package lists may be missing or stale: refresh once and retry.
        if ! apt-get update -q >/dev/null 2>&1; then
            echo "apt-get update failed (not root, or no package mirror reachable)" >&2; exit 3
        fi
        if ! apt-get install -y -q libjsmn-dev >/dev/null 2>&1; then
            echo "apt-get install libjsmn-dev failed" >&2; exit 3
        fi
    fi
fi

include="$(find_header)" || { echo "libjsmn-dev installed but jsmn.h not found" >&2; exit 3; }
cc="$(command -v gcc || command -v cc || true)"
if [ -z "$cc" ]; then
    echo "no C compiler (gcc/cc) found" >&2; exit 4
fi
if ! "$cc" -O2 $defines -I"$include" -o "$out" "$here/jsmn_bench.c" 2>"$out.log"; then
    echo "compiling jsmn_bench.c failed: $(head -c 300 "$out.log" | tr '\n' ' ')" >&2; exit 5
fi
echo "$out"
