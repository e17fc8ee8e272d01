#!/usr/bin/env bash
# Every global symbol of the static archive carries the library's prefix
# (a user's own err_set or pool_create must not clash with ours), and the
# shared library exports only the public API: the LUDUS_API functions of
# include/ludus/*.h. Usage: check_symbols.sh libludus.a libludus.so SRC_DIR
set -euo pipefail
a=$1 so=$2 src=$3
fail=0
# (AddressSanitizer adds __odr_asan.NAME aliases of the globals: its own)
bad=$(nm -g --defined-only "$a" | awk 'NF==3 {print $3}' | grep -v '^ludus_' | grep -v '^__odr_asan\.' | sort -u || true)
if [ -n "$bad" ]; then
  echo "not ok: global symbols of $(basename "$a") without the ludus_ prefix:"; echo "$bad" | head -20; fail=1
else
  echo "ok: every global symbol of $(basename "$a") starts with ludus_"
fi
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /[TDBR]/ {print $3}' | sort -u)
public=$(cat "$src"/include/ludus/*.h | tr -s ' \n' ' ' | grep -oE 'LUDUS_API [^;{]*\(' \
         | grep -oE 'ludus_[a-z0-9_]+ *\($' | tr -d ' (' | sort -u)
extra=$(comm -23 <(echo "$exported") <(echo "$public"))
missing=$(comm -13 <(echo "$exported") <(echo "$public"))
if [ -n "$extra" ]; then
  echo "not ok: $(basename "$so") exports internal symbols:"; echo "$extra" | head -20; fail=1
else
  echo "ok: $(basename "$so") exports only the $(echo "$public" | wc -l) public functions"
fi
if [ -n "$missing" ]; then
  echo "not ok: declared LUDUS_API but not exported:"; echo "$missing" | head -20; fail=1
fi
exit $fail
