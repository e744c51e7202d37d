#!/usr/bin/env bash
# The record library (src/lib/json*.c, lineio.c, dfmt.c) through the
# tests/helpers/jsonecho driver: pass-through, line handling, errors, and
# doubles printed exactly as Python's repr() prints them.
. "$(dirname "$0")/lib.sh"
need_python json
E="$BUILD/helpers/jsonecho"

# Unowned members come back byte for byte (whitespace outside strings
# dropped), in order; a member that is set is replaced where it stood.
printf '{"id": "X-1",  "n": 1.50e2, "s": "a  b\\u00e9\\"", "deep": [1, {"k": [true, null]}], "p": 3}\n' >"$TMP/in"
"$E" -s p=0.1 <"$TMP/in" >"$TMP/out"
is "$(cat "$TMP/out")" '{"id":"X-1","n":1.50e2,"s":"a  b\u00e9\"","deep":[1,{"k":[true,null]}],"p":0.1}' \
	"pass-through keeps number text, escapes and order; set replaces in place"
"$E" -k id -s new=2 <"$TMP/in" >"$TMP/out"
is "$(cat "$TMP/out")" '{"id":"X-1","n":1.50e2,"s":"a  b\u00e9\"","deep":[1,{"k":[true,null]}],"p":3,"new":2.0}' \
	"skipped members pass through raw; a new member is appended"

# CRLF, blank lines and a last line without a newline.
printf '{"a":1}\r\n\r\n{"a":2}' | "$E" >"$TMP/out"
is "$(cat "$TMP/out" | tr '\n' '|')" '{"a":1}|{"a":2}|' "CRLF, blank lines and an unterminated last line"

# A 2 MB field: no line length limit.
"$PYTHON" -c 'import json; print(json.dumps({"id": "big", "d": "x\u00e9" * 700000}))' >"$TMP/big"
"$E" <"$TMP/big" >"$TMP/out"
"$PYTHON" -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(a!=b)' "$TMP/big" "$TMP/out"
ok $? "a 2 MB field round-trips"

# Errors name the input and the line; strict stops, lenient counts.
printf '{"a":1}\n{"a":\n[1]\n{"a":3}\n' >"$TMP/bad"
"$E" "$TMP/bad" >"$TMP/out" 2>"$TMP/err"
st=$?
is "$st:$(cat "$TMP/out")" "1:{\"a\":1}" "strict: exit 1 after the first bad line"
is "$(cat "$TMP/err")" "jsonecho: $TMP/bad:2: invalid JSON: premature EOF" "strict: message names file and line"
"$E" -l "$TMP/bad" >"$TMP/out" 2>"$TMP/err"
st=$?
is "$st:$(tr '\n' '|' <"$TMP/out")" '0:{"a":1}|{"a":3}|' "lenient: bad lines skipped"
is "$(tail -n 1 "$TMP/err")" "jsonecho: $TMP/bad: skipped 2 bad lines" "lenient: skipped lines counted"
grep -q ":3: record is an array, not a JSON object" "$TMP/err"
ok $? "lenient: each skipped line still reported"
printf '{"a":1}\n{"a":"x\0y"}\n' | "$E" >/dev/null 2>"$TMP/err"
st=$?
is "$st:$(cat "$TMP/err")" "1:jsonecho: <stdin>:2: line holds a NUL byte (binary or corrupt input)" "NUL byte rejected"
printf '{"a":"\xff"}\n' | "$E" >/dev/null 2>"$TMP/err"
ok $(( $? == 1 ? 0 : 1 )) "invalid UTF-8 in input rejected"
grep -q "<stdin>:1: invalid JSON:.*UTF8" "$TMP/err"
ok $? "invalid UTF-8 message names the line"
# yajl itself lets an overlong form and an encoded surrogate through.
printf '{"a":"\xc0\xaf"}\n' | "$E" >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:jsonecho: <stdin>:1: invalid JSON: invalid UTF-8 in a string (before byte 10)" "overlong UTF-8 rejected"
printf '{"\xed\xa0\x80":1}\n' | "$E" -k none >/dev/null 2>&1
ok $(( $? == 1 ? 0 : 1 )) "an encoded surrogate in a skipped member's key is rejected"
"$E" <"$TMP/in" >/dev/full 2>"$TMP/err"
st=$?
is "$st:$(cat "$TMP/err")" "1:jsonecho: write error: No space left on device" "output to /dev/full fails with write error"

# Duplicate keys: the last value wins, at the first one's place, as in
# Python's json (docs/records.md), in both parsers, at every depth, with or
# without trees for the members.
"$PYTHON" - "$TMP/dup" <<'PY'
import json, random, sys
random.seed(5)
lines = ['{"gold":"Critical","gold":"Trivial","pred":"Trivial"}',
         '{"a":1,"b":{"k":1,"k":[2],"j":0},"a":{"x":1,"x":2},"c":3,"a":"last"}',
         '{"a" : 1 , "a" : 2}', '{"x":[{"d":1,"d":null}]}']
def val(d):
    if d > 2 or random.random() < 0.5:
        return json.dumps(random.choice([None, True, 1, 2.5, "s", "t\u00e9"]))
    keys = [random.choice("abc") for _ in range(random.randint(0, 5))]
    return "{" + ",".join('"%s":%s' % (k, val(d + 1)) for k in keys) + "}"
while len(lines) < 500:
    v = val(0)
    if v.startswith("{"):
        lines.append(v)
with open(sys.argv[1], "w") as f:
    for l in lines:
        f.write(l + "\n")
PY
"$PYTHON" -c 'import json,sys
for l in open(sys.argv[1]): print(json.dumps(json.loads(l), separators=(",", ":"), ensure_ascii=False))' "$TMP/dup" >"$TMP/dup.want"
for how in "" "-y" "-k none" "-y -k gold,a" "-k a,x"; do
	"$E" $how <"$TMP/dup" >"$TMP/dup.got" 2>"$TMP/err"
	"$PYTHON" -c 'import json,sys
a=[json.loads(l) for l in open(sys.argv[1])]; b=[json.loads(l) for l in open(sys.argv[2])]
sys.exit(0 if a == b and len(a) > 400 else 1)' "$TMP/dup.want" "$TMP/dup.got"
	ok $? "duplicate keys read as Python reads them (jsonecho ${how:-default})"
done
is "$(head -n 1 "$TMP/dup" | "$E")" '{"gold":"Trivial","pred":"Trivial"}' "a duplicate key is written once, with its last value"
is "$(head -n 1 "$TMP/dup" | "$E" -s gold=1)" '{"gold":1.0,"pred":"Trivial"}' "setting a duplicated key leaves no stale copy"

# Lone surrogates: a high one and a low one alike, named as what they are;
# a pair is one character.
for s in '\ud800' '\udc00' '\uDBFF x' 'a\udfff' '\ud800\u0041' '\ude00\ud83d'; do
	printf '{"id":1,"t":"%s"}\n' "$s" | "$E" >"$TMP/out" 2>"$TMP/err"
	st=$?
	is "$st:$(cat "$TMP/err")" "1:jsonecho: <stdin>:1: invalid JSON: a lone UTF-16 surrogate (\\u escape) in a string" "lone surrogate $s rejected with an accurate message"
done
printf '{"\\udc00":1}\n' | "$E" -k none >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:jsonecho: <stdin>:1: invalid JSON: a lone UTF-16 surrogate (\\u escape) in a string" "lone surrogate in a skipped key rejected"
printf '{"t":"\\ud83d\\ude00 \\\\ud800"}\n' | "$E" >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/out")" '0:{"t":"\ud83d\ude00 \\ud800"}' "a surrogate pair and an escaped backslash pass"

# Differential: random documents through the library read back equal.
"$PYTHON" - "$TMP/rand" <<'PY'
import json, random, sys
random.seed(7)
def val(d):
    k = random.random()
    if d > 3 or k < 0.5:
        return random.choice([None, True, False, random.random() * 10 ** random.randint(-8, 8),
                              random.randint(-10**15, 10**15),
                              "".join(random.choice("ab \"\\\n\t\u00e9\u4e2d\U0001f600/\x01") for _ in range(random.randint(0, 12)))])
    if k < 0.75:
        return [val(d + 1) for _ in range(random.randint(0, 4))]
    return {("k%d" % i): val(d + 1) for i in range(random.randint(0, 4))}
with open(sys.argv[1], "w") as f:
    for i in range(3000):
        f.write(json.dumps({("f%d" % j): val(0) for j in range(random.randint(0, 6))},
                           ensure_ascii=random.random() < 0.5, indent=random.choice([None, None, 1])).replace("\n", " ") + "\n")
PY
"$E" <"$TMP/rand" >"$TMP/out"
"$PYTHON" - "$TMP/rand" "$TMP/out" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
b = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
compact = all(l == l.strip() and ": " not in l.replace('": "', '') for l in open(sys.argv[2], encoding="utf-8"))
sys.exit(0 if a == b and len(a) == 3000 else 1)
PY
ok $? "3000 random documents read back equal through the library"
"$E" -k none <"$TMP/rand" | cmp -s - "$TMP/out"
ok $? "raw pass-through and tree writing give the same bytes"

# Doubles: fmt_double() against Python's repr() on 200,000 values of every
# kind (random bits, subnormals, powers of two, integers, short decimals).
"$PYTHON" - "$TMP/dbl" "$TMP/dbl.want" <<'PY'
import random, struct, sys, math
random.seed(11)
vals = [0.0, -0.0, 1e16, 1e15, 0.0001, 0.00001, 5e-324, 1.7976931348623157e308, 0.1, 2.0,
        0.5867181234963913, 1.8888888888888888, 9007199254740993.0, 2.2250738585072014e-308]
while len(vals) < 200000:
    k = random.random()
    if k < 0.3: x = random.random()
    elif k < 0.4: x = random.uniform(-1e6, 1e6)
    elif k < 0.5: x = random.randint(-10**6, 10**6) / random.choice([1, 2, 3, 7, 10, 100, 1000])
    elif k < 0.6: x = 2.0 ** random.randint(-1074, 1023)
    elif k < 0.7: x = random.randint(1, 10 ** random.randint(1, 17)) * 10.0 ** random.randint(-330, 300)
    else: x = struct.unpack("<d", struct.pack("<Q", random.getrandbits(64)))[0]
    if not math.isfinite(x): continue
    vals.append(x)
with open(sys.argv[1], "w") as f, open(sys.argv[2], "w") as g:
    for v in vals:
        f.write("%016x\n" % struct.unpack("<Q", struct.pack("<d", v))[0])
        g.write(repr(v) + "\n")
PY
"$E" -d <"$TMP/dbl" >"$TMP/dbl.got"
same_file "$TMP/dbl.got" "$TMP/dbl.want" "200,000 doubles print exactly as Python's repr()"
done_testing
