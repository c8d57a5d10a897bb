#!/usr/bin/env bash
# Store a value your CI system already holds as a masked secret (GitHub Actions `secrets.X`, a GitLab
# masked variable, ...) into Secrets Manager without it ever being a command-line argument: the value
# goes from an environment variable to `secrets set` on stdin, so it never shows in `ps`, shell
# history or the CI log. Writes nothing when the value is unchanged.
#
#   Usage: SECRET_VALUE="$DB_PASS" examples/store-from-ci-secret.sh prod/api DB_PASS
#   GitHub Actions step:
#     - run: examples/store-from-ci-secret.sh prod/api DB_PASS
#       env: {SECRET_VALUE: "${{ secrets.PROD_DB_PASS }}"}
#
# Exit codes are those of `secrets set`: 0 stored or unchanged, 2 no/empty value, 5 denied, 6 unreachable.
set -euo pipefail
SECRETS=${SECRETS:-secrets}

scope=${1:?usage: store-from-ci-secret.sh ENV/SERVICE NAME (value in \$SECRET_VALUE)}
name=${2:?usage: store-from-ci-secret.sh ENV/SERVICE NAME (value in \$SECRET_VALUE)}
if [[ -z ${SECRET_VALUE:-} ]]; then
  echo "SECRET_VALUE is empty or unset: map your CI secret to it (env: SECRET_VALUE: \${{ secrets.X }})." >&2
  exit 2
fi

# printf, not echo: no option parsing and no added newline. The variable is not exported further.
# $SECRETS is deliberately unquoted: it may be a command with arguments (e.g. "node bin/run.js").
outcome=$(printf '%s' "$SECRET_VALUE" | $SECRETS set "$scope" "$name" --json | jq -r .outcome)
unset SECRET_VALUE
echo "$outcome /${scope#/}/$name"
