#!/usr/bin/env bash
# Builds the Go module into dist/go against the peer dependency floor of package.json.
#
#   tools/package-go.sh      (the package:go task; needs the compiled library: .jsii and lib/)
#
# jsii-pacmak writes into go.mod the versions of aws-cdk-lib and constructs it loads, not the ranges
# of package.json: run in the repository, it would require our development version (2.257.0) and
# tell Go users the library needs it. So the module is generated beside the floor versions, installed
# from the npm registry into a temporary folder, and go.mod requires what the peer dependencies
# allow and `npm run verify` synthesizes (the floor, and anything newer that Go's minimal version
# selection picks).
#
# --code-only: the module is its source (publib-golang pushes this tree to the Go repository). A build
# of it alone would download the floor's own dependencies; tools/consumer-apps.sh compiles it instead,
# inside the Go app that uses it with aws-cdk-lib 2.257.0.
set -euo pipefail
cd "$(dirname "$0")/.."
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="${JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION:-20}"

floor() { node -p "require('./package.json').peerDependencies['$1'].replace(/^[^0-9]*/, '')"; }
cdk_floor=$(floor aws-cdk-lib)
constructs_floor=$(floor constructs)

stage=$(mktemp -d "${TMPDIR:-/tmp}/cdp-package-go-XXXXXX")
trap 'rm -rf "$stage"' EXIT
echo '{ "private": true }' >"$stage/package.json"
npm install --prefix "$stage" --no-audit --no-fund --ignore-scripts --loglevel=error \
  "aws-cdk-lib@$cdk_floor" "constructs@$constructs_floor"

# The package as npm publishes it, where Node resolves its dependencies to the floor versions.
tarball=$(npm pack --silent --pack-destination "$stage" | tail -1)
package="$stage/node_modules/cdk-deploy-pipelines"
mkdir -p "$package"
tar xzf "$stage/$tarball" --strip-components=1 -C "$package"

rm -rf dist/go
# With --code-only, jsii-pacmak writes into OUTDIR/go.
npx jsii-pacmak -v --code-only --target go --outdir "$PWD/dist" "$package"
# jsii-pacmak also lists, as `// indirect`, the versions npm installed today for the floor's own
# dependencies (e.g. awscdk-asset-awscli-go v2.2.297, newer than aws-cdk-lib 2.257.0 asks for). They are
# no requirement of this library, and they would force those versions on every Go user: Go's minimal
# version selection gets them from awscdk's own go.mod instead.
sed -i '/\/\/ indirect$/d' dist/go/cdkdeploypipelines/go.mod
echo "dist/go: go.mod requires aws-cdk-lib $cdk_floor and constructs $constructs_floor:"
grep -E 'aws-cdk-go|constructs-go' dist/go/cdkdeploypipelines/go.mod
