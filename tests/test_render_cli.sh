#!/usr/bin/env bash
# test_render_cli.sh: `ludus render` and `ludus record` as a user drives
# them: the files they write have the right format and size, edge seeds
# work, and every bad input (missing -o, unwritable or failing output,
# malformed actions, bad tile sizes, unknown ids, bad seeds, conflicting
# flags) is a one-line error with a non-zero exit. Also: `ludus play` still
# starts and quits for every registered id.
set -u
LUDUS=${1:?usage: test_render_cli.sh path/to/ludus}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect STATUS PATTERN -- command...: exit status, one stderr line matching PATTERN
expect() {
  local want=$1 pat=$2; shift 3
  "$@" >"$T/out" 2>"$T/err"; local got=$?
  if [ "$got" = "$want" ] && grep -q -- "$pat" "$T/err" && [ "$(wc -l < "$T/err")" -le 2 ]; then ok
  else bad "$* -> $got: $(head -c 300 "$T/err")"; fi
}
# succeed -- command...: exit 0
succeed() {
  shift
  if "$@" >"$T/out" 2>"$T/err"; then ok; else bad "$* -> $?: $(head -c 300 "$T/err")"; fi
}
# Big-endian 32-bit and little-endian 16-bit integers at a byte offset.
be32() { od -An -tu1 -j "$2" -N4 "$1" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}'; }
le16() { od -An -tu1 -j "$2" -N2 "$1" | awk '{print $1 + $2*256}'; }
png_size() { echo "$(be32 "$1" 16)x$(be32 "$1" 20)"; }
gif_size() { echo "$(le16 "$1" 6)x$(le16 "$1" 8)"; }
is_png() { [ "$(od -An -tx1 -N8 "$1" | tr -d ' ')" = 89504e470d0a1a0a ]; }
is_gif() { [ "$(head -c 6 "$1")" = GIF89a ]; }
cd "$T"
DK=MiniGrid-DoorKey-8x8-v0

# ---- files ------------------------------------------------------------------
succeed -- "$LUDUS" render $DK --seed 0 -o f.png
is_png f.png && ok || bad "f.png is not a PNG"
[ "$(png_size f.png)" = 256x256 ] && ok || bad "f.png is $(png_size f.png), want 256x256"
grep -q "wrote f.png: 256x256" out && ok || bad "render's summary: $(cat out)"
succeed -- "$LUDUS" render $DK --seed 0 --tile 8 --agent-view --actions 1,2,2 -o v.png
[ "$(png_size v.png)" = 56x56 ] && ok || bad "v.png is $(png_size v.png), want 56x56"
succeed -- "$LUDUS" render MiniGrid-LavaCrossingS9N2-v0 --seed 3 --tile 5 --options agent_view_size=5 --agent-view -o o.png
[ "$(png_size o.png)" = 25x25 ] && ok || bad "o.png is $(png_size o.png), want 25x25"
succeed -- "$LUDUS" render $DK --seed 0 --tile 256 -o big.png
[ "$(png_size big.png)" = 2048x2048 ] && ok || bad "big.png is $(png_size big.png)"
succeed -- "$LUDUS" render $DK --seed 0 --no-highlight -o plain.png
cmp -s f.png plain.png && bad "--no-highlight changed nothing" || ok
# Seeds at the edges.
succeed -- "$LUDUS" render $DK --seed 9223372036854775808 -o s63.png
succeed -- "$LUDUS" render $DK --seed 18446744073709551615 -o smax.png
cmp -s s63.png f.png && bad "seeds 0 and 2^63 drew the same level" || ok
succeed -- "$LUDUS" record $DK --seed 1 --random --steps 20 --tile 8 --fps 10 -o e.gif
is_gif e.gif && ok || bad "e.gif is not a GIF89a"
[ "$(gif_size e.gif)" = 64x64 ] && ok || bad "e.gif is $(gif_size e.gif), want 64x64"
grep -q "wrote e.gif: 21 frames of 64x64" out && ok || bad "record's summary: $(cat out)"
succeed -- "$LUDUS" record $DK --seed 1 --random --steps 20 --tile 8 --fps 10 -o e2.gif
cmp -s e.gif e2.gif && ok || bad "--random is not reproducible"
succeed -- "$LUDUS" record $DK --seed 2 --random --steps 20 --tile 8 --fps 10 -o e3.gif
cmp -s e.gif e3.gif && bad "seeds 1 and 2 recorded the same episode" || ok
succeed -- "$LUDUS" record $DK --seed 18446744073709551615 --actions 2,2,1 --agent-view -o a.gif
[ "$(gif_size a.gif)" = 224x224 ] && ok || bad "a.gif is $(gif_size a.gif)"
# The episode ends before the actions do: a note, and the last frame.
expect 0 "ended at step 4; 2 action(s) left unused" -- "$LUDUS" render MiniGrid-Empty-5x5-v0 --seed 0 --actions 2,2,1,2,2,2,2 -o end.png
expect 0 "ended at step 4; 2 action(s) left unused" -- "$LUDUS" record MiniGrid-Empty-5x5-v0 --seed 0 --actions 2,2,1,2,2,2,2 -o end.gif
grep -q "6 frames" out && grep -q success out && ok || bad "record of a finished episode: $(cat out)"
succeed -- "$LUDUS" record MiniGrid-Empty-5x5-v0 --seed 0 --actions "" -o one.gif
grep -q "1 frames" out && ok || bad "an empty action list records one frame: $(cat out)"

# ---- missing and conflicting arguments -----------------------------------
expect 2 "needs an output file: -o PATH" -- "$LUDUS" render $DK --seed 0
expect 2 "needs --seed S" -- "$LUDUS" render $DK -o x.png
expect 2 "needs a world ID" -- "$LUDUS" render --seed 0 -o x.png
expect 2 "needs an output file" -- "$LUDUS" record $DK --seed 0 --random
expect 2 "-o needs a value" -- "$LUDUS" render $DK --seed 0 -o
expect 2 "output path is empty" -- "$LUDUS" render $DK --seed 0 -o ""
expect 2 "unknown argument '--tiles'" -- "$LUDUS" render $DK --seed 0 --tiles 8 -o x.png
expect 2 "unknown argument 'extra'" -- "$LUDUS" render $DK extra --seed 0 -o x.png
expect 2 "either --actions A,A,... or --random" -- "$LUDUS" record $DK --seed 0 -o x.gif
expect 2 "either --actions A,A,... or --random" -- "$LUDUS" record $DK --seed 0 --random --actions 1 -o x.gif
expect 2 "--steps goes with --random" -- "$LUDUS" record $DK --seed 0 --actions 1 --steps 3 -o x.gif
expect 2 "unknown argument '--random'" -- "$LUDUS" render $DK --seed 0 --random -o x.png
expect 2 "--steps must be in" -- "$LUDUS" record $DK --seed 0 --random --steps 0 -o x.gif
expect 2 "--fps must be in" -- "$LUDUS" record $DK --seed 0 --random --fps 0 -o x.gif
expect 2 "--fps must be in" -- "$LUDUS" record $DK --seed 0 --random --fps 1000 -o x.gif
expect 2 "--fps must be an integer" -- "$LUDUS" record $DK --seed 0 --random --fps 2.5 -o x.gif

# ---- bad values ------------------------------------------------------------
expect 2 "must not be negative" -- "$LUDUS" render $DK --seed -1 -o x.png
expect 2 "larger than 2^64-1" -- "$LUDUS" render $DK --seed 18446744073709551616 -o x.png
expect 2 "non-negative integer" -- "$LUDUS" render $DK --seed 1e3 -o x.png
expect 2 "non-negative integer" -- "$LUDUS" record $DK --seed 0x10 --random -o x.gif
expect 2 "not a comma-separated list" -- "$LUDUS" render $DK --seed 0 --actions 2,x -o x.png
expect 2 "not a comma-separated list" -- "$LUDUS" render $DK --seed 0 --actions 2,,2 -o x.png
expect 2 "not a comma-separated list" -- "$LUDUS" record $DK --seed 0 --actions "1;2" -o x.gif
expect 2 "not a comma-separated list" -- "$LUDUS" record $DK --seed 0 --actions 2, -o x.gif
expect 2 "out of range 0..6" -- "$LUDUS" render $DK --seed 0 --actions 2,7 -o x.png
expect 2 "out of range 0..6" -- "$LUDUS" record $DK --seed 0 --actions -1 -o x.gif
expect 2 "--tile must be in" -- "$LUDUS" render $DK --seed 0 --tile 0 -o x.png
expect 2 "--tile must be an integer" -- "$LUDUS" render $DK --seed 0 --tile big -o x.png
expect 2 "--tile must be an integer" -- "$LUDUS" render $DK --seed 0 --tile 99999999999999999999 -o x.png
expect 1 "tile size 257 is out of range 1..256" -- "$LUDUS" render $DK --seed 0 --tile 257 -o x.png
expect 1 "tile size 100000 is out of range" -- "$LUDUS" record $DK --seed 0 --random --tile 100000 -o x.gif
expect 1 "MiniGrid-NoSuch-v0" -- "$LUDUS" render MiniGrid-NoSuch-v0 --seed 0 -o x.png
expect 1 "unknown option 'size'" -- "$LUDUS" render $DK --seed 0 --options size=3 -o x.png
[ -e x.png ] || [ -e x.gif ] && bad "a failed command left a file" || ok

# ---- outputs that cannot be written ----------------------------------------
expect 1 "cannot write PNG '/nonexistent-dir/f.png': No such file or directory" -- "$LUDUS" render $DK --seed 0 -o /nonexistent-dir/f.png
expect 1 "cannot write GIF '/nonexistent-dir/e.gif': No such file or directory" -- "$LUDUS" record $DK --seed 0 --random -o /nonexistent-dir/e.gif
expect 1 "cannot write PNG '$T': Is a directory" -- "$LUDUS" render $DK --seed 0 -o "$T"
mkdir ro && chmod 555 ro
if [ "$(id -u)" != 0 ]; then
  expect 1 "Permission denied" -- "$LUDUS" render $DK --seed 0 -o ro/f.png
fi
# A write that fails part-way (the file size limit): an error, and no partial file.
( trap '' XFSZ; ulimit -f 2; "$LUDUS" record MiniGrid-Playground-v0 --seed 1 --tile 16 --random -o part.gif ) >/dev/null 2>err.txt
st=$?
[ "$st" = 1 ] && grep -q "cannot write GIF 'part.gif': File too large" err.txt && ok || bad "GIF over the size limit -> $st: $(cat err.txt)"
[ -e part.gif ] && bad "a partial GIF was left behind" || ok
( trap '' XFSZ; ulimit -f 2; "$LUDUS" render MiniGrid-Playground-v0 --seed 1 --tile 64 -o part.png ) >/dev/null 2>err.txt
st=$?
[ "$st" = 1 ] && grep -q "cannot write PNG 'part.png': File too large" err.txt && ok || bad "PNG over the size limit -> $st: $(cat err.txt)"
[ -e part.png ] && bad "a partial PNG was left behind" || ok

# ---- play still works for every id --------------------------------------------
n=0
for id in $("$LUDUS" list | awk '{print $1}'); do
  n=$((n + 1))
  if printf 'q' | "$LUDUS" play "$id" --seed 3 >/dev/null 2>err.txt; then ok; else bad "play $id: $(cat err.txt)"; fi
done
[ "$n" -ge 50 ] && ok || bad "ludus list gave only $n ids"

echo "test_render_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
