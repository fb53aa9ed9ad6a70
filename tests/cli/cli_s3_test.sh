#!/usr/bin/env bash
# The ndbucket tool against the RGW test server, with curl's own SigV4 as a second client.
# usage: cli_s3_test.sh PATH_TO_NDBUCKET WORK_DIR SERVERS_FILE
set -uo pipefail
nb=$(realpath "$1")
work=$2
servers=$3
rm -rf "$work" && mkdir -p "$work"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

read -r _ endpoint access secret < <(grep '^rgw ' "$servers") || { echo "no rgw in $servers" >&2; exit 1; }
# curl signs too, but does not hash the body: it must say so, or RGW rejects the signature.
s3curl() {
  curl -sf -m 60 --user "$access:$secret" --aws-sigv4 "aws:amz:us-east-1:s3" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}
bucket="ndb-cli-$$"
s3curl -X PUT "$endpoint/$bucket" >/dev/null || { echo "could not create bucket $bucket" >&2; exit 1; }
# Credentials from the environment, endpoint from AWS_ENDPOINT_URL: as a user would set them.
export AWS_ACCESS_KEY_ID=$access AWS_SECRET_ACCESS_KEY=$secret AWS_ENDPOINT_URL=$endpoint
export AWS_REGION=us-east-1
url="s3://$bucket/run1"

head -c 20000000 /dev/urandom >"$work/big.bin"
"$nb" put "$work/big.bin" "$url/big.bin" -m dtype='<u1' -q || fail "put of 20 MB failed"
"$nb" get "$url/big.bin" "$work/back.bin" || fail "get failed"
cmp -s "$work/big.bin" "$work/back.bin" || fail "bytes differ after the round trip"
"$nb" info "$url/big.bin" >"$work/out" || fail "info failed"
grep -qF "metadata:      dtype=<u1" "$work/out" || fail "info lacks metadata: $(cat "$work/out")"
grep -qF "size:          20000000" "$work/out" || fail "info size: $(cat "$work/out")"
grep -qF -- '-3"' "$work/out" || fail "20 MB did not go multipart: $(cat "$work/out")"

# curl reads what ndbucket wrote; ndbucket reads what curl wrote.
s3curl "$endpoint/$bucket/run1/big.bin" -o "$work/curl.bin" || fail "curl could not read the object"
cmp -s "$work/big.bin" "$work/curl.bin" || fail "curl read different bytes"
printf 'written by curl' | s3curl -X PUT --data-binary @- "$endpoint/$bucket/run1/sub/curl.txt" \
  >/dev/null || fail "curl put failed"
[[ "$("$nb" cat "$url/sub/curl.txt")" == "written by curl" ]] || fail "cat of curl's object"

# Standard input is streamed into a multipart upload (no length known in advance).
head -c 30000000 /dev/urandom >"$work/stream.bin"
"$nb" put - "s3://$bucket/stream.bin" -q <"$work/stream.bin" || fail "put from stdin failed"
"$nb" get "s3://$bucket/stream.bin" "$work/stream-back.bin" -q || fail "get of the stream failed"
cmp -s "$work/stream.bin" "$work/stream-back.bin" || fail "streamed bytes differ"
"$nb" info "s3://$bucket/stream.bin" | grep -qF -- '-4"' || fail "30 MB stdin did not go multipart"
"$nb" rm "s3://$bucket/stream.bin" || fail "rm of the stream failed"

"$nb" ls "$url" >"$work/out" || fail "ls failed"
[[ "$(cat "$work/out")" == $'sub/\nbig.bin' ]] || fail "ls shows: $(cat "$work/out")"
"$nb" rm "$url/big.bin" "$url/sub/curl.txt" || fail "rm failed"
"$nb" ls -r "$url" >"$work/out" || fail "ls -r failed"
[[ ! -s "$work/out" ]] || fail "objects left after rm: $(cat "$work/out")"

"$nb" cat "$url/missing" 2>"$work/err" && fail "cat of a missing object succeeded"
grep -qF "s3://$bucket/run1/missing" "$work/err" || fail "error does not name the URL: $(cat "$work/err")"
AWS_SECRET_ACCESS_KEY=Zq9NotTheSecret "$nb" ls "$url" 2>"$work/err" && fail "a wrong secret was accepted"
grep -qF "SignatureDoesNotMatch" "$work/err" || fail "wrong secret: $(cat "$work/err")"
grep -qF "Zq9NotTheSecret" "$work/err" && fail "the secret appears in the message"

s3curl -X DELETE "$endpoint/$bucket" >/dev/null || fail "could not remove the bucket (not empty?)"
if [[ $failures -gt 0 ]]; then
  echo "$failures CLI S3 check(s) failed" >&2
  exit 1
fi
echo "all CLI S3 checks passed"
