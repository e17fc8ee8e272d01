#!/usr/bin/env bash
# web_compare.sh: two builds' bench_web side by side, task by task,
# alternated (old, new, old, new, ...) so that whatever else runs on the
# machine weighs on both alike; prints each row with its build and the
# load average, then the new/old ratios of the medians per task.
#   bench/web_compare.sh OLD_BENCH_WEB NEW_BENCH_WEB [seconds per figure] [rounds] [id substring]
set -euo pipefail
old=${1:?old bench_web}
new=${2:?new bench_web}
secs=${3:-0.5}
rounds=${4:-3}
only=${5:-Web-}
tasks=$("$new" 0.001 "$only" | awk -F'|' 'NR > 2 {gsub(/ /, "", $2); print $2}')
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for r in $(seq "$rounds"); do
  for t in $tasks; do
    for b in old new; do
      bin=$old; [ "$b" = new ] && bin=$new
      row=$("$bin" "$secs" "$t" | tail -1)
      echo "$b $r $(cut -d' ' -f1 /proc/loadavg) $row" | tee -a "$out"
    done
  done
done
echo
echo "| task | 1 thread cpu steps/s old -> new | 1 thread wall old -> new | 2 threads wall old -> new | text ns old -> new |"
echo "|---|---:|---:|---:|---:|"
awk -F'|' '
  function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  { split($1, h, " "); b = h[1]; t = $2; gsub(/ /, "", t); k = b SUBSEP t; n[k]++; order[t] = 1
    cpu[k, n[k]] = $4; w1[k, n[k]] = $3; w2[k, n[k]] = $5; split($10, x, " "); txt[k, n[k]] = x[1] }
  END { for (t in order) {
          o = "old" SUBSEP t; m = "new" SUBSEP t
          for (f = 1; f <= 4; f++) { delete A; delete B
            for (i = 1; i <= n[o]; i++) A[i] = (f == 1 ? cpu[o, i] : f == 2 ? w1[o, i] : f == 3 ? w2[o, i] : txt[o, i])
            for (i = 1; i <= n[m]; i++) B[i] = (f == 1 ? cpu[m, i] : f == 2 ? w1[m, i] : f == 3 ? w2[m, i] : txt[m, i])
            ov[f] = med(A, n[o]); nv[f] = med(B, n[m]) }
          printf "| %s | %.0fk -> %.0fk (%.2fx) | %.0fk -> %.0fk (%.2fx) | %.0fk -> %.0fk (%.2fx) | %.0f -> %.0f |\n", t,
                 ov[1] / 1e3, nv[1] / 1e3, nv[1] / ov[1], ov[2] / 1e3, nv[2] / 1e3, nv[2] / ov[2],
                 ov[3] / 1e3, nv[3] / 1e3, nv[3] / ov[3], ov[4], nv[4] } }' "$out" | sort
