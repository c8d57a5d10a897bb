#!/usr/bin/env bash
# At build time, write the least-privilege IAM policy of every function declared in secrets.yml, in
# the format your infrastructure code reads, next to the other build outputs. Run it per environment;
# the deploy step then attaches the policies. The policies name secrets, never values.
#
#   Usage: examples/emit-policies-at-build.sh secrets.yml prod build/ [json|cloudformation|sam|terraform|serverless|cdk]
#
# Exit codes are those of `secrets grant`: 0 written, 2 invalid manifest (file:line named), 3 a
# declared secret is missing in the environment, 5 denied.
set -euo pipefail
SECRETS=${SECRETS:-secrets}

manifest=${1:?usage: emit-policies-at-build.sh MANIFEST ENV OUT_DIR [FORMAT]}
env=${2:?usage: emit-policies-at-build.sh MANIFEST ENV OUT_DIR [FORMAT]}
out=${3:?usage: emit-policies-at-build.sh MANIFEST ENV OUT_DIR [FORMAT]}
format=${4:-json}

# A policy for a secret that does not exist would deploy a function that fails at run time: check first.
$SECRETS grant --manifest "$manifest" --env "$env" --check >/dev/null

mkdir -p "$out"
# The extension the tool that reads the file expects: Terraform reads HCL only from .tf (a .tf.json
# must be Terraform's JSON syntax), the CDK output is TypeScript.
case $format in
  json) extension=json ;;
  terraform) extension=tf ;;
  cdk) extension=ts ;;
  *) extension=yaml ;;
esac
file="$out/secrets-policies.$env.$extension"
# Written to a temporary file first, so a failed run never leaves a half-written policy behind.
$SECRETS grant --manifest "$manifest" --env "$env" --format "$format" >"$file.tmp"
mv "$file.tmp" "$file"
echo "wrote $file"
