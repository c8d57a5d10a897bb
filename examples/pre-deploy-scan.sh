#!/usr/bin/env bash
# Run before deploy, in the pipeline that deploys the templates: scan them for secrets in environment
# variables and Parameter Store and for IAM that reads too many secrets, write SARIF for code scanning,
# and fail the job when something at or above SEVERITY is found. No AWS call, no credentials; the
# report never contains a value.
#
#   Usage: examples/pre-deploy-scan.sh [PATH] [SEVERITY] [SARIF_FILE] [BASELINE]
#          (defaults: . high scan.sarif, no baseline)
#   SCAN_CHANGED=true: only the files git says changed on the branch (scan --changed), since the merge
#   base with SCAN_SINCE when set (scan --since), else with the default branch.
#
# Exit codes: 0 nothing new at or above SEVERITY; 7 findings at or above it (one line each on stderr);
# 2 a template could not be parsed (named on stderr; the rest was scanned).
set -euo pipefail
SECRETS=${SECRETS:-secrets}

path=${1:-.}
severity=${2:-high}
sarif=${3:-scan.sarif}
baseline=${4:-}
changed=()
case ${SCAN_CHANGED:-false} in
  true) changed=(--changed ${SCAN_SINCE:+--since "$SCAN_SINCE"}) ;;
  false | '') ;;
  *)
    echo "SCAN_CHANGED must be true or false, not '$SCAN_CHANGED'" >&2
    exit 2
    ;;
esac

status=0
$SECRETS scan "$path" --fail-on "$severity" --format sarif ${baseline:+--baseline "$baseline"} ${changed[@]+"${changed[@]}"} >"$sarif" || status=$?
if [[ $status -ne 0 && $status -ne 7 && $status -ne 2 ]]; then
  echo "secrets scan failed (exit $status)" >&2
  exit "$status"
fi

jq -r '.runs[0] | "scan: \(.results | length) findings, \(.invocations[0].toolExecutionNotifications | length) unparsable templates"' "$sarif"
jq -r '.runs[0].results[] | select(.baselineState != "unchanged")
  | "  \(.level)  \(.locations[0].physicalLocation.artifactLocation.uri):\(.locations[0].physicalLocation.region.startLine)  \(.ruleId)  \(.properties.resource) \(.properties.variable // "")"' "$sarif" >&2
jq -r '.runs[0].invocations[0].toolExecutionNotifications[]
  | "  could not be parsed: \(.locations[0].physicalLocation.artifactLocation.uri)"' "$sarif" >&2
exit "$status"
