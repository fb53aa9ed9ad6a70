#!/usr/bin/env bash
# moto_server on 127.0.0.1 with signature checking on, for the S3 tests.
#   moto.sh start DIR PORT   prints "ENDPOINT ACCESS_KEY SECRET_KEY" once ready
#   moto.sh stop DIR
# moto comes preinstalled with the image's pyenv Python (the python3 first on PATH); Debian has
# no moto package and PyPI is out of reach.
set -euo pipefail
action=${1:?start or stop}
dir=${2:?state directory}
here=$(cd "$(dirname "$0")" && pwd)
python=${MOTO_PYTHON:-$(PATH=$(echo "$PATH" | tr ':' '\n' | grep -v '^/usr/bin$' | paste -sd:) command -v python3 || true)}

if [[ $action == stop ]]; then
  [[ -f $dir/moto.pid ]] && kill "$(cat "$dir/moto.pid")" 2>/dev/null || true
  exit 0
fi

port=${3:?port}
endpoint="http://127.0.0.1:$port"
[[ -n $python ]] && "$python" -c "import moto" 2>/dev/null || {
  echo "no Python with moto found (set MOTO_PYTHON)" >&2
  exit 1
}
rm -rf "$dir" && mkdir -p "$dir"
# The first three requests may go unsigned: they create the IAM user whose key is checked after.
INITIAL_NO_AUTH_ACTION_COUNT=3 "$python" "$here/moto_signed.py" -H 127.0.0.1 -p "$port" \
  >"$dir/moto.log" 2>&1 &
echo $! >"$dir/moto.pid"
for _ in $(seq 100); do
  curl -s -o /dev/null -m 2 "$endpoint/moto-api/" && break
  sleep 0.2
done
curl -s -o /dev/null -m 2 "$endpoint/moto-api/" || {
  echo "moto did not answer on port $port; log:" >&2
  cat "$dir/moto.log" >&2
  exit 1
}
"$python" - "$endpoint" <<'PY'
import json, sys
import boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="ndbucket")
key = iam.create_access_key(UserName="ndbucket")["AccessKey"]
policy = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
iam.put_user_policy(UserName="ndbucket", PolicyName="s3-all", PolicyDocument=json.dumps(policy))
print(sys.argv[1], key["AccessKeyId"], key["SecretAccessKey"])
PY
