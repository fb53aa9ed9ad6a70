#!/usr/bin/env bash
# The directory commands of the ndbucket tool: glob, tree, du, ls with patterns, rm -r on a
# directory store, and cp -r of 1,000 files to RGW and back (checksums compared), with the
# progress bar checked in a pseudo-terminal.
# usage: cli_fs_test.sh PATH_TO_NDBUCKET WORK_DIR SERVERS_FILE
set -uo pipefail
nb=$(realpath "$1")
work=$2
servers=$3
rm -rf "$work" && mkdir -p "$work"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
run() { "$@" >"$work/out" 2>"$work/err"; }
expect_out() { [[ "$(cat "$work/out")" == "$1" ]] || fail "expected output <<$1>>, got <<$(cat "$work/out")>>"; }

# A directory store, filled through the tool itself.
store="$work/store"
mkdir -p "$store/.ndbucket"
for key in g/a.npy g/abc g/sub/a.npy g/sub/deep/a.npy g2/a.npy x/exp/a x/exp/b/c x/exp2/a x/exp.txt; do
  printf '%s' "$key" | "$nb" put - "$store/$key" -q || fail "put $key"
done

u="file://$(realpath "$store")"
run "$nb" glob "$store/g/**/a.npy"; expect_out "$u/g/a.npy"$'\n'"$u/g/sub/a.npy"$'\n'"$u/g/sub/deep/a.npy"
run "$nb" glob "$store/g/*.npy"; expect_out "$u/g/a.npy"
run "$nb" glob "$store/g/a" --fnmatch; expect_out "$u/g/a.npy"$'\n'"$u/g/abc"
run "$nb" glob "$store/g/a"; [[ $? -eq 1 ]] || fail "a literal glob matched a prefix"
run "$nb" glob "$store/g/nothing*" && fail "glob with no match exited 0"
run "$nb" glob --json "$store/g2/*"; grep -qF "\"$u/g2/a.npy\"" "$work/out" || fail "glob --json"
run "$nb" ls "$store/g/*"; expect_out $'a.npy\nabc'
run "$nb" tree "$store/x"; expect_out $'.\n├── exp/\n│   ├── b/\n│   │   └── c\n│   └── a\n├── exp2/\n│   └── a\n└── exp.txt'
run "$nb" du --json "$store/x"; grep -qF '"objects": 4' "$work/out" || fail "du: $(cat "$work/out")"
NDBUCKET_URL="$store/g" run "$nb" du; grep -qF "in 4 objects" "$work/out" || fail "du from NDBUCKET_URL: $(cat "$work/out")"

run "$nb" rm "$store/x/exp"; [[ $? -eq 1 ]] || fail "rm of a directory without -r"
grep -qF "is a directory" "$work/err" || fail "rm message: $(cat "$work/err")"
run "$nb" rm -r "$store/x/exp" || fail "rm -r failed: $(cat "$work/err")"
run "$nb" ls -r "$store/x"; expect_out $'exp.txt\nexp2/a'

# cp -r of 1,000 files to RGW and back, compared by checksum.
read -r _ endpoint access secret < <(grep '^rgw ' "$servers") || { echo "no rgw in $servers" >&2; exit 1; }
export AWS_ACCESS_KEY_ID=$access AWS_SECRET_ACCESS_KEY=$secret AWS_ENDPOINT_URL=$endpoint AWS_REGION=us-east-1
bucket="ndb-clifs-$$"
curl -sf -m 60 -X PUT --user "$access:$secret" --aws-sigv4 "aws:amz:us-east-1:s3" \
  -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$endpoint/$bucket" >/dev/null || { echo "no bucket" >&2; exit 1; }
src="$work/thousand"
for i in $(seq 1 1000); do
  dir="$src/d$((i % 7))"
  mkdir -p "$dir"
  head -c $((i * 13 % 4096 + 1)) /dev/urandom >"$dir/f$i.bin"
done
(cd "$src" && find . -type f -exec sha256sum {} + | sort -k2) >"$work/before.sum"
run "$nb" cp -r "$src" "s3://$bucket/copy" || fail "cp -r up: $(cat "$work/err")"
grep -qF "copied 1000 object(s)" "$work/err" || fail "cp -r up reported: $(cat "$work/err")"
run "$nb" du "s3://$bucket/copy"; grep -qF "in 1000 objects" "$work/out" || fail "du on RGW: $(cat "$work/out")"
run "$nb" cp -r "s3://$bucket/copy" "$work/back" || fail "cp -r down: $(cat "$work/err")"
(cd "$work/back" && find . -type f -exec sha256sum {} + | sort -k2) >"$work/after.sum"
cmp -s "$work/before.sum" "$work/after.sum" || fail "the round trip changed files"
run "$nb" cp -r "$src" "s3://$bucket/copy"; [[ $? -eq 1 ]] || fail "cp -r over existing objects"
grep -qF "exists" "$work/err" || fail "overwrite refusal: $(cat "$work/err")"
run "$nb" cp -r "s3://$bucket/copy/d1" "s3://$bucket/server-side" || fail "store to store: $(cat "$work/err")"
run "$nb" mv "s3://$bucket/server-side/f1.bin" "s3://$bucket/moved.bin" || fail "mv: $(cat "$work/err")"
# Between two buckets (two stores) the bytes pass through the tool, metadata kept.
curl -sf -m 60 -X PUT --user "$access:$secret" --aws-sigv4 "aws:amz:us-east-1:s3" \
  -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$endpoint/$bucket-2" >/dev/null || fail "no second bucket"
printf 'tagged' | "$nb" put - "s3://$bucket/copy/d2/tagged" -m origin=first -q
run "$nb" cp -r "s3://$bucket/copy/d2" "s3://$bucket-2/d2" || fail "bucket to bucket: $(cat "$work/err")"
run "$nb" cat "s3://$bucket-2/d2/f2.bin"; cmp -s "$work/out" "$src/d2/f2.bin" || fail "cross-store copy changed bytes"
run "$nb" info "s3://$bucket-2/d2/tagged"; grep -qF "origin=first" "$work/out" || fail "cross-store metadata"
run "$nb" rm -r "s3://$bucket-2/d2" || fail "cleanup of the second bucket"
run "$nb" cat "s3://$bucket/moved.bin"; cmp -s "$work/out" "$src/d1/f1.bin" || fail "mv changed bytes"

# The progress bar: drawn on a terminal (here a pseudo-terminal from script(1)), never on a
# pipe, never with --quiet. The one-second grace is set to 0 so the test does not need a slow copy.
head -c 30000000 /dev/zero >"$work/big.bin"
export NDBUCKET_PROGRESS_DELAY_MS=0
script -qfec "'$nb' cp '$work/big.bin' 's3://$bucket/big.bin'" /dev/null >"$work/tty" 2>&1
grep -qF "100%" "$work/tty" || fail "no progress bar on a terminal: $(cat -v "$work/tty")"
run "$nb" cp -f "$work/big.bin" "s3://$bucket/big.bin"
grep -qF "%" "$work/err" && fail "a progress bar was drawn on a pipe"
script -qfec "'$nb' cp -q -f '$work/big.bin' 's3://$bucket/big.bin'" /dev/null >"$work/tty" 2>&1
grep -qF "%" "$work/tty" && fail "--quiet drew a progress bar"
unset NDBUCKET_PROGRESS_DELAY_MS

run "$nb" rm -r "s3://$bucket/copy" "s3://$bucket/moved.bin" "s3://$bucket/big.bin" \
  "s3://$bucket/server-side" ||
  fail "cleanup rm -r: $(cat "$work/err")"
if [[ $failures -gt 0 ]]; then
  echo "$failures CLI fs check(s) failed" >&2
  exit 1
fi
echo "all CLI fs checks passed"
