#!/usr/bin/env bash
# Gate a deploy: stop it when the target environment lacks a secret that the environment you tested
# in has (`secrets diff`), or lacks a secret the functions declare in secrets.yml
# (`secrets grant --manifest ... --check`). Values differing between environments is normal (each has
# its own password) and does not stop the deploy; names missing do. Nothing here prints a value.
#
#   Usage: examples/gate-deploy-on-diff.sh staging/api prod/api [secrets.yml]
#
# Exit codes: 0 go; 1 the target lacks secrets (names printed); anything else is the CLI's own error
# (2 usage, 5 denied, 6 unreachable: see `secrets doctor`).
set -euo pipefail
SECRETS=${SECRETS:-secrets}

tested=${1:?usage: gate-deploy-on-diff.sh TESTED_ENV/SERVICE TARGET_ENV/SERVICE [MANIFEST]}
target=${2:?usage: gate-deploy-on-diff.sh TESTED_ENV/SERVICE TARGET_ENV/SERVICE [MANIFEST]}
manifest=${3:-}

# diff exits 8 when the scopes differ; that is an answer, not a failure, so only other codes abort.
status=0
report=$($SECRETS diff "$tested" "$target" --json) || status=$?
if [[ $status -ne 0 && $status -ne 8 ]]; then
  echo "secrets diff failed (exit $status)" >&2
  exit "$status"
fi

missing=$(jq -r '.secrets[] | select(.state == "only-left") | .name' <<<"$report")
if [[ -n $missing ]]; then
  echo "$target lacks secrets that $tested has:" >&2
  sed 's/^/  /' <<<"$missing" >&2
  echo "Copy them with: secrets promote $tested $target --secret NAME (or set them), then deploy again." >&2
  exit 1
fi
echo "ok: $target has every secret of $tested ($(jq -r '.counts.different' <<<"$report") with a value of its own)"

if [[ -n $manifest ]]; then
  env=${target%%/*}
  # --check exits 3 naming the declared secrets that do not exist in the target environment.
  if ! $SECRETS grant --manifest "$manifest" --env "$env" --check >/dev/null; then
    echo "$target lacks secrets declared in $manifest (see above)." >&2
    exit 1
  fi
  echo "ok: every secret declared in $manifest exists in $env"
fi
