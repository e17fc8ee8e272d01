#!/usr/bin/env bash
# test_web_forum_cli.sh: the social site, the shop's cart and info-seeking
# through the generic `ludus` commands: list, text, a frame read back by
# the PNG reader, and `ludus play` from a pipe solving an episode of
# Web-social-moderate-v0 (forums, forum, post, reply, feed, user page,
# block, stop) and of Web-info-seek-v0 (search, read the price, stop
# [4]), and failing one with a wrong answer (stop [N/A]).
set -u
LUDUS=${1:?usage: test_web_forum_cli.sh path/to/ludus}
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

for id in Web-social-moderate-v0 Web-shop-cart-v0 Web-info-seek-v0; do
  "$LUDUS" list --family web | grep -q "^$id" && ok || bad "list $id"
  "$LUDUS" text "$id" --seed 3 > "$tmp/text" && grep -q '^Mission: ' "$tmp/text" && grep -q '^URL: web/' "$tmp/text" &&
    ok || bad "text $id"
  "$LUDUS" render "$id" --seed 3 -o "$tmp/page.png" && python3 - "$tmp/page.png" <<'PY' && ok || bad "render $id"
import struct, sys, zlib
b = open(sys.argv[1], 'rb').read()
assert b[:8] == b'\x89PNG\r\n\x1a\n'
w, h = struct.unpack('>II', b[16:24])
assert (w, h) == (480, 480), (w, h)
PY
done
"$LUDUS" text Web-social-moderate-v0 --seed 3 | grep -q "link 'forums'" && ok || bad "the feed's forums link"

printf 'click [1]\nclick [3]\nclick [6]\nclick [7]\ntype [3] [pen]\nclick [4]\nclick [0]\nclick [25]\nclick [3]\nstop\nq\n' |
  "$LUDUS" play Web-social-moderate-v0 --seed 3 > "$tmp/play" 2>&1
grep -q "button 'unblock wendy'" "$tmp/play" && grep -q 'success after 10 steps, return 1' "$tmp/play" && ok ||
  bad "play social: $(tail -3 "$tmp/play")"
printf 'type [2] [table]\nclick [3]\nstop [4]\nq\n' | "$LUDUS" play Web-info-seek-v0 --seed 3 > "$tmp/info" 2>&1
grep -q "text 'price 4'" "$tmp/info" && grep -q 'success after 3 steps, return 1' "$tmp/info" && ok ||
  bad "play info-seek: $(tail -3 "$tmp/info")"
printf 'type [2] [table]\nclick [3]\nstop [N/A]\nq\n' | "$LUDUS" play Web-info-seek-v0 --seed 3 > "$tmp/info2" 2>&1
grep -q 'return -1' "$tmp/info2" && ! grep -q 'success after' "$tmp/info2" && ok ||
  bad "play info-seek N/A: $(tail -3 "$tmp/info2")"

echo "test_web_forum_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
