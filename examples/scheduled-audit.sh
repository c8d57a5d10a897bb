#!/usr/bin/env bash
# Run on a schedule (cron, a scheduled pipeline, EventBridge + CodeBuild): audit the account for
# secrets in environment variables and Parameter Store and for IAM that reads too many secrets, keep
# the JSON report as an artifact, and fail the job when something high is found. The report never
# contains a value.
#
#   Usage: examples/scheduled-audit.sh [REPORT_FILE] [SEVERITY]   (defaults: audit-report.json high)
#
# Exit codes: 0 nothing at or above SEVERITY; 7 findings at or above it (summary printed, report kept);
# 5 denied to every audited API; 6 unreachable.
set -euo pipefail
SECRETS=${SECRETS:-secrets}

report=${1:-audit-report.json}
severity=${2:-high}

status=0
$SECRETS audit --fail-on "$severity" --json >"$report" || status=$?
if [[ $status -ne 0 && $status -ne 7 ]]; then
  echo "secrets audit failed (exit $status); see $report" >&2
  exit "$status"
fi

jq -r '"audit: \(.counts.total) findings (\(.counts.high) high, \(.counts.medium) medium, \(.counts.low) low), \(.gaps | length) coverage gaps"' "$report"
if [[ $status -eq 7 ]]; then
  jq -r --arg severity "$severity" '.findings[] | "  \(.severity)  \(.resource)  \(.item // "")  fix: \(.fix)"' "$report" >&2
  echo "findings at or above $severity: see $report" >&2
fi
exit "$status"
