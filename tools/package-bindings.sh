#!/usr/bin/env bash
# Generates the language bindings of the compiled library with jsii-pacmak and builds what can be
# built offline here, so a change that breaks another language's bindings fails the test command.
#
#   tools/package-bindings.sh [OUTDIR]     (default: dist/bindings; needs `npx projen compile` first)
#
# - js: the npm tarball (jsii-pacmak runs `npm pack`, no network).
# - python, java, dotnet, go: source only (--code-only). Building them the way `npx projen package-all`
#   does needs PyPI, Maven Central, the .NET SDK with NuGet and the Go toolchain, none of which this
#   machine has.
# - python: the wheel is then built from the generated source with an interpreter that already has
#   setuptools and wheel (Debian's python3-setuptools and python3-wheel), without build isolation and
#   without an index, so pip downloads nothing.
# Every type of the assembly must appear in every language, or the script fails.
set -euo pipefail

cd "$(dirname "$0")/.."
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="${JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION:-20}"

out="${1:-dist/bindings}"
if [[ ! -f .jsii ]]; then
  echo "package-bindings: no .jsii assembly; run 'npx projen compile' first" >&2
  exit 1
fi

start=$SECONDS
rm -rf "$out"
mkdir -p "$out"

# --no-npmignore: pacmak would otherwise rewrite .npmignore, which projen owns.
npx jsii-pacmak --code-only --no-npmignore \
  --target js --target python --target java --target dotnet --target go \
  --outdir "$out" >"$out/pacmak.log" 2>&1 || { cat "$out/pacmak.log" >&2; exit 1; }

# Each language's tree, and the file every build of it starts from.
python_dir="$out/python"
java_dir="$out/java"
dotnet_dir="$out/dotnet/CdkDeployPipelines"
go_dir="$out/go/cdkdeploypipelines"
for f in "$python_dir/setup.py" "$python_dir/pyproject.toml" "$python_dir/src/cdk_deploy_pipelines/__init__.py" \
  "$java_dir/pom.xml" "$dotnet_dir/CdkDeployPipelines.csproj" "$go_dir/go.mod"; do
  [[ -f "$f" ]] || { echo "package-bindings: jsii-pacmak did not generate $f" >&2; exit 1; }
done
js_tarball=$(ls "$out"/js/*.jsii.tgz)

# Every type of the assembly, by name, in each language (a type pacmak skipped is a binding users lack).
node - "$python_dir/src/cdk_deploy_pipelines/__init__.py" "$java_dir/src/main/java/io/github/cdkdeploypipelines" \
  "$dotnet_dir/CdkDeployPipelines" "$go_dir" <<'EOF'
const fs = require('fs');
const path = require('path');
const [python, java, dotnet, go] = process.argv.slice(2);
const assembly = JSON.parse(fs.readFileSync('.jsii', 'utf8'));
const names = Object.values(assembly.types).map((t) => t.name);
const pythonSource = fs.readFileSync(python, 'utf8');
const missing = names.flatMap((name) => [
  new RegExp(`^class ${name}[(:]`, 'm').test(pythonSource) ? [] : [`python: class ${name}`],
  fs.existsSync(path.join(java, `${name}.java`)) ? [] : [`java: ${name}.java`],
  fs.existsSync(path.join(dotnet, `${name}.cs`)) ? [] : [`dotnet: ${name}.cs`],
  fs.existsSync(path.join(go, `${name}.go`)) ? [] : [`go: ${name}.go`],
].flat());
if (missing.length > 0) {
  console.error(`package-bindings: types of .jsii missing from the bindings:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log(`All ${names.length} types of the assembly are in every language.`);
EOF

count() { find "$1" -type f | wc -l | tr -d ' '; }
printf '%-8s %6s  %s\n' language files tree
printf '%-8s %6s  %s\n' js "$(tar tzf "$js_tarball" | wc -l | tr -d ' ')" "$js_tarball (npm tarball)"
printf '%-8s %6s  %s\n' python "$(count "$python_dir")" "$python_dir"
printf '%-8s %6s  %s\n' java "$(count "$java_dir")" "$java_dir"
printf '%-8s %6s  %s\n' dotnet "$(count "$out/dotnet")" "$out/dotnet"
printf '%-8s %6s  %s\n' go "$(count "$out/go")" "$out/go"

# The first interpreter that can build a wheel offline: the pyenv python3 has setuptools but no wheel
# package (setuptools < 70.1 needs it for bdist_wheel); Debian's /usr/bin/python3 has both.
builder=''
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import setuptools, wheel' 2>/dev/null; then
    builder="$candidate"
    break
  fi
done
if [[ -z "$builder" ]]; then
  echo 'package-bindings: no python3 with setuptools and wheel installed (apt-get install python3-setuptools python3-wheel)' >&2
  exit 1
fi

# The generated sources must at least parse; importing them needs the jsii runtime from PyPI.
"$builder" - "$python_dir/src" <<'EOF'
import ast, pathlib, sys
for source in pathlib.Path(sys.argv[1]).rglob('*.py'):
    ast.parse(source.read_text(), str(source))
EOF

# Built from a copy, so the build's by-products (build/, *.egg-info) stay out of the generated tree.
# --no-build-isolation: pyproject.toml asks for setuptools~=75.3.2, which only PyPI has; the local
# setuptools builds the same pure-Python wheel. --no-index: never look for a package; --no-cache-dir:
# leave the user's pip cache alone.
wheel_src="$out/.python-build"
cp -r "$python_dir" "$wheel_src"
"$builder" -m pip wheel --no-deps --no-build-isolation --no-index --no-cache-dir --wheel-dir "$out/python-wheel" "$wheel_src" \
  >"$out/wheel.log" 2>&1 || { cat "$out/wheel.log" >&2; exit 1; }
rm -rf "$wheel_src"
wheel=$(ls "$out"/python-wheel/*.whl)
echo "python wheel: $wheel ($(wc -c <"$wheel" | tr -d ' ') bytes, built with $("$builder" --version 2>&1))"
echo "Bindings done in $((SECONDS - start))s (java, dotnet, go: source only)."
