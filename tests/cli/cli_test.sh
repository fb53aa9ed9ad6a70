#!/usr/bin/env bash
# End-to-end tests of the ndbucket tool on a directory store and a memory store.
# usage: cli_test.sh PATH_TO_NDBUCKET WORK_DIR
set -uo pipefail
nb=$(realpath "$1")
work=$2
rm -rf "$work" && mkdir -p "$work"
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# expect_rc CODE CMD...: runs CMD, keeps its stdout/stderr in $work/out and $work/err.
expect_rc() {
  local want=$1; shift
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  [[ $got -eq $want ]] || fail "'$*' exited $got, expected $want; stderr: $(cat "$work/err")"
}
expect_out() { grep -qF -- "$1" "$work/out" || fail "stdout lacks '$1': $(cat "$work/out")"; }
expect_err() { grep -qF -- "$1" "$work/err" || fail "stderr lacks '$1': $(cat "$work/err")"; }

store="$work/store"
mkdir -p "$store/.ndbucket"
head -c 3000000 /dev/urandom >"$work/random.bin"

# Help and usage.
expect_rc 0 "$nb" --help; expect_out "commands:"
for cmd in ls cat put get rm info; do
  expect_rc 0 "$nb" "$cmd" --help; expect_out "usage: ndbucket $cmd"
done
expect_rc 2 "$nb"
expect_rc 2 "$nb" frobnicate; expect_err "unknown command 'frobnicate'"
expect_rc 2 "$nb" ls --no-such-flag; expect_err "unknown option"
expect_rc 2 "$nb" put only-one-arg
expect_rc 2 "$nb" put "$work/random.bin" "$store/x" --metadata novalue
expect_rc 2 "$nb" cat "$store/x" --offset -3

# put, info, get, cat.
expect_rc 0 "$nb" put "$work/random.bin" "file://$store/data/random.bin" \
  --metadata dtype='<f8' -m Shape=3,4 --content-type application/x-test
expect_err "put 3000000 bytes to file://$store/data/random.bin"
expect_rc 0 "$nb" info "$store/data/random.bin"
expect_out "size:          3000000"; expect_out "content type:  application/x-test"
expect_out "metadata:      dtype=<f8"; expect_out "metadata:      shape=3,4"
expect_rc 0 "$nb" info --json "$store/data/random.bin"
expect_out '"size": 3000000'; expect_out '"shape": "3,4"'
expect_rc 0 "$nb" get "$store/data/random.bin" "$work/copy.bin"
cmp -s "$work/random.bin" "$work/copy.bin" || fail "downloaded bytes differ"
ls "$work" | grep -q '\.part$' && fail "a temporary download file was left behind"
expect_rc 0 "$nb" cat "$store/data/random.bin" --offset 10 --length 5
cmp -s "$work/out" <(tail -c +11 "$work/random.bin" | head -c 5) || fail "cat range differs"
printf 'from stdin' | "$nb" put - "$store/data/stdin.txt" -q 2>"$work/err" || fail "put - failed"
[[ -s "$work/err" ]] && fail "put -q printed: $(cat "$work/err")"
expect_rc 0 "$nb" cat "$store/data/stdin.txt"; expect_out "from stdin"
expect_rc 0 "$nb" get "$store/data/stdin.txt" -; expect_out "from stdin"
: >"$work/empty"; expect_rc 0 "$nb" put "$work/empty" "$store/empty"
expect_rc 0 "$nb" info "$store/empty"; expect_out "size:          0"

# ls: one level, recursive, long, json; a directory inside the store is a prefix.
expect_rc 0 "$nb" ls "$store"; expect_out "data/"; expect_out "empty"
expect_rc 0 "$nb" ls -r "$store"; expect_out "data/random.bin"; expect_out "data/stdin.txt"
grep -q ".ndbucket" "$work/out" && fail "ls shows the store's state folder"
expect_rc 0 "$nb" ls -l "$store/data"; expect_out "3000000 random.bin"
expect_rc 0 "$nb" ls --json "$store"; expect_out '"prefixes": ['; expect_out '"key": "empty"'
(cd "$store" && "$nb" ls -r >"$work/out" 2>"$work/err") || fail "ls in the current directory failed"
expect_out "data/stdin.txt"

# Errors name the URL and exit 1; nothing is created by reading.
expect_rc 1 "$nb" cat "$store/data/missing"; expect_err "$store/data/missing"; expect_err "NotFound"
expect_rc 1 "$nb" info "$store/nope"; expect_err "no object at file://$store/nope"
expect_rc 1 "$nb" ls "$work/does-not-exist"; expect_err "does-not-exist"
[[ -e "$work/does-not-exist" ]] && fail "ls created a directory"
expect_rc 1 "$nb" get "$store/data/missing" "$work/never.bin"
[[ -e "$work/never.bin" ]] && fail "a failed get created its output file"
expect_rc 1 "$nb" put "$work/no-such-local-file" "$store/x"; expect_err "no-such-local-file"
expect_rc 1 "$nb" put "$work/random.bin" "$store/.ndbucket/evil"; expect_err "reserved"
expect_rc 1 env -i PATH="$PATH" HOME="$work/no-home" "$nb" cat "s3://bucket/key"
expect_err "no S3 credentials for s3://bucket"
expect_rc 1 "$nb" ls "ftp://host/x"; expect_err "unknown scheme"

# rm: one or many objects; a missing one is an error unless forced.
expect_rc 0 "$nb" rm "$store/data/stdin.txt" "$store/empty"
expect_rc 1 "$nb" info "$store/empty"
expect_rc 1 "$nb" rm "$store/data/stdin.txt"; expect_err "nothing to delete at"
expect_rc 0 "$nb" rm -f "$store/data/stdin.txt"
expect_rc 0 "$nb" ls -r "$store"
[[ "$(cat "$work/out")" == "data/random.bin" ]] || fail "after rm, ls -r shows: $(cat "$work/out")"

# A memory store works through the same commands (it lives as long as the process).
expect_rc 0 "$nb" ls mem://scratch
expect_rc 1 "$nb" cat mem://scratch/missing; expect_err "mem://scratch/missing"

if [[ $failures -gt 0 ]]; then
  echo "$failures CLI check(s) failed" >&2
  exit 1
fi
echo "all CLI checks passed"
