#!/usr/bin/env bash
# test_web_cli.sh: the web worlds through the `ludus` command: list, info,
# the tree as text, a frame read back by the PNG reader, play from a pipe
# with typed commands (a solved episode, a malformed command and a
# mask-forbidden one each answered in one line), a short bench, and
# one-line errors for unknown ids and bad options.
set -u
LUDUS=${1:?usage: test_web_cli.sh path/to/ludus}
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

expect_fail() {
  local want=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ "$rc" = "$want" ] && [ "$(grep -c . "$tmp/err")" = 1 ] && grep -q '^ludus: ' "$tmp/err"; then ok
  else bad "$* -> rc $rc (want $want), stderr: $(head -c 300 "$tmp/err")"; fi
}

n=$("$LUDUS" list --family web | grep -c '^Web-')
[ "$n" = 49 ] && ok || bad "list --family web shows $n worlds (want 49)"
"$LUDUS" info Web-search-engine-v0 | grep -q 'MultiDiscrete(\[7, 48, 49\]), with a legal-action mask' && ok ||
  bad "info: the action space"

"$LUDUS" text Web-login-user-v0 --seed 3 > "$tmp/text" &&
  grep -q "^Mission: Enter the username 'lamp' and the password 'alice'" "$tmp/text" &&
  grep -q "^\[1\] textbox 'username'" "$tmp/text" && grep -q "^heading 'login'" "$tmp/text" &&
  ok || bad "text of login-user: $(head -c 400 "$tmp/text")"

"$LUDUS" render Web-choose-date-v0 --seed 2 -o "$tmp/page.png" && ok || bad "render"
/usr/bin/python3 - "$tmp/page.png" <<'PY' && ok || bad "the frame reads back as a 480x480 PNG"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (480, 480), (w, h)
PY

# play from a pipe: the login solved in three typed commands
printf 'type [1] [lamp]\ntype [2] [alice]\nclick [3]\nq\n' | "$LUDUS" play Web-login-user-v0 --seed 3 > "$tmp/play" 2>&1
grep -q '^success after 3 steps, return 1' "$tmp/play" && ok || bad "play: $(tail -c 400 "$tmp/play")"
# a malformed command and a disabled button: one line each, and play goes on
printf 'jump around\nclick [2]\nq\n' | "$LUDUS" play Web-click-dialog-v0 --seed 3 > "$tmp/play2" 2>&1; rc=$?
[ "$rc" = 0 ] && grep -q '^invalid action: ' "$tmp/play2" && grep -q 'mask' "$tmp/play2" && ok ||
  bad "play with bad commands (rc $rc): $(tail -c 600 "$tmp/play2")"

"$LUDUS" bench Web-click-tab-v0 --steps 20000 --envs 64 > "$tmp/bench" && grep -q 'steps/s' "$tmp/bench" && ok ||
  bad "bench"

# the site templates: the shop's front page as text, a mail page drawn, the
# profile form played from a pipe (a bad date refused on the page, then saved)
"$LUDUS" text Web-shop-buy-v0 --seed 1 > "$tmp/shop" &&
  grep -q "^Mission: Buy a melon in white, size small, for at most 20 dollars, shipped to judy" "$tmp/shop" &&
  grep -q "^\[2\] textbox 'search'" "$tmp/shop" && ok || bad "text of shop-buy: $(head -c 400 "$tmp/shop")"
"$LUDUS" render Web-mail-triage-v0 --seed 2 -o "$tmp/mail.png" && [ -s "$tmp/mail.png" ] && ok || bad "render mail"
printf 'type [1] [sybil]\nselect [6] [january]\ntype [8] [31]\ntype [8] [40]\nclick [10]\ntype [8] [8]\nclick [10]\nq\n' |
  "$LUDUS" play Web-forms-profile-v0 --seed 3 > "$tmp/form" 2>&1
grep -q "error day" "$tmp/form" && grep -q '^success after 7 steps, return 1' "$tmp/form" && ok ||
  bad "play forms-profile: $(tail -c 600 "$tmp/form")"

# the atomic tasks of atomic.c: a slider in the tree, set by select from a pipe
"$LUDUS" text Web-use-slider-v0 --seed 2 > "$tmp/slider" &&
  grep -q "^\[0\] slider 'volume' valuemin: 15 valuemax: 22 valuetext: 16$" "$tmp/slider" && ok ||
  bad "text of use-slider: $(head -c 400 "$tmp/slider")"
printf 'select [0] [15]\nclick [1]\nq\n' | "$LUDUS" play Web-use-slider-v0 --seed 2 > "$tmp/sl" 2>&1
grep -q '^success after 2 steps, return 1' "$tmp/sl" && ok || bad "play use-slider: $(tail -c 400 "$tmp/sl")"
# the held-out domain: the files task solved from a pipe (rename in the
# root, delete in a folder, move from a nested one), a table drawn, and
# the wrong split pairings refused in one line
printf 'click [4]\ntype [2] [mango]\nclick [3]\nclick [0]\nclick [1]\nclick [3]\nclick [6]\nclick [1]\nclick [2]\nclick [2]\nselect [4] [mallory]\nclick [5]\nstop\nq\n' |
  "$LUDUS" play Web-files-organize-v0 --seed 5 > "$tmp/files" 2>&1
grep -q '^success after 13 steps, return 1' "$tmp/files" && ok || bad "play files-organize: $(tail -c 600 "$tmp/files")"
"$LUDUS" render Web-admin-edit-v0 --seed 2 -o "$tmp/admin.png" && [ -s "$tmp/admin.png" ] && ok || bad "render admin"
expect_fail 1 "$LUDUS" text Web-admin-edit-v0 --seed 1 --options split=train,holdout=domain
expect_fail 1 "$LUDUS" text Web-shop-buy-v0 --seed 1 --options split=test,holdout=domain
expect_fail 1 "$LUDUS" text Web-shop-buy-v0 --seed 1 --options split=train,holdout=atomic
expect_fail 1 "$LUDUS" text Web-click-button-v0 --seed 1 --options split=test,holdout=atomic
expect_fail 1 "$LUDUS" text Web-guess-number-v0 --seed 1 --options split=test,holdout=task
"$LUDUS" text Web-info-calendar-v0 --seed 2 --options split=test,holdout=task | grep -q '^Mission: ' && ok ||
  bad "text Web-info-calendar-v0 split=test,holdout=task"

expect_fail 1 "$LUDUS" text Web-click-buton-v0 --seed 1
expect_fail 1 "$LUDUS" text Web-click-button-v0 --seed 1 --options reward=huge
expect_fail 1 "$LUDUS" text Web-click-button-v0 --seed 1 --options split=dev

echo "test_web_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
