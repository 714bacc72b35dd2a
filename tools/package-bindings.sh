#!/usr/bin/env bash
# Checks the packages that `npx projen package:js`, `package:python`, `package:java` and `package:go`
# built in dist/ (the package:bindings task runs them first), generates the .NET source, and fails
# when a type of the assembly is missing from any language, so a change that breaks another
# language's bindings fails the test command.
#
#   tools/package-bindings.sh
#
# - js, python, java, go: built by their projen tasks (the npm tarball, the wheel and sdist, the jar
#   in a Maven repository layout, the Go module's source generated against the peer dependency floor).
#   test/consumers/consumer-apps.ts then uses each in a real app.
# - dotnet: source only (--code-only); building it needs the .NET SDK and NuGet, which CI lacks.
set -euo pipefail

cd "$(dirname "$0")/.."
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="${JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION:-20}"

only() {
  local matches=("$@")
  [[ ${#matches[@]} -eq 1 && -f "${matches[0]}" ]] || { echo "package-bindings: expected one file, found: ${matches[*]}" >&2; exit 1; }
  echo "${matches[0]}"
}
js_tarball=$(only dist/js/*.jsii.tgz)
wheel=$(only dist/python/*.whl)
jar=$(only dist/java/io/github/cdk-deploy-pipelines/cdk-deploy-pipelines/*/cdk-deploy-pipelines-*[0-9].jar)
go_dir=dist/go/cdkdeploypipelines
[[ -f "$go_dir/go.mod" ]] || { echo "package-bindings: no Go module in $go_dir; run 'npx projen package:go'" >&2; exit 1; }

# .NET: generated beside the other work files, not in dist/ (the release's package:dotnet builds it there).
dotnet_out=.tmp/bindings
rm -rf "$dotnet_out"
mkdir -p "$dotnet_out"
# --no-npmignore: pacmak would otherwise rewrite .npmignore, which projen owns.
npx jsii-pacmak --code-only --no-npmignore --target dotnet --outdir "$dotnet_out" >"$dotnet_out/pacmak.log" 2>&1 \
  || { cat "$dotnet_out/pacmak.log" >&2; exit 1; }
dotnet_dir="$dotnet_out/dotnet/CdkDeployPipelines/CdkDeployPipelines"

# Every type of the assembly, by name, in each language (a type pacmak skipped is a binding users lack).
node - "$wheel" "$jar" "$dotnet_dir" "$go_dir" <<'NODE'
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const [wheel, jar, dotnet, go] = process.argv.slice(2);
const assembly = JSON.parse(fs.readFileSync('.jsii', 'utf8'));
const names = Object.values(assembly.types).map((t) => t.name);
// Python's zipfile reads the wheel and the jar (both zip files) on any machine, unlike unzip.
const zip = (script, ...args) => execFileSync('python3', ['-c', `import sys, zipfile; ${script}`, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
const pythonSource = zip('sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())', wheel, 'cdk_deploy_pipelines/__init__.py');
const javaClasses = new Set(zip('print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', jar).split('\n'));
const missing = names.flatMap((name) => [
  new RegExp(`^class ${name}[(:]`, 'm').test(pythonSource) ? [] : [`python: class ${name}`],
  javaClasses.has(`io/github/cdkdeploypipelines/${name}.class`) ? [] : [`java: ${name}.class`],
  fs.existsSync(path.join(dotnet, `${name}.cs`)) ? [] : [`dotnet: ${name}.cs`],
  fs.existsSync(path.join(go, `${name}.go`)) ? [] : [`go: ${name}.go`],
].flat());
if (missing.length > 0) {
  console.error(`package-bindings: types of .jsii missing from the bindings:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log(`All ${names.length} types of the assembly are in every language.`);

// The floors users see must be package.json's peer dependency floors, the versions \`npm run verify\`
// synthesizes on. (Java's pom names one version, the newest when it was built: jsii-pacmak resolves
// the range so Maven need not; a user's own aws-cdk-lib declaration wins over it.)
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const floor = (name) => pkg.peerDependencies[name].replace(/^[^0-9]*/, '');
const metadata = zip('z = zipfile.ZipFile(sys.argv[1]); sys.stdout.write(next(z.read(n).decode() for n in z.namelist() if n.endswith("/METADATA")))', wheel);
const goMod = fs.readFileSync(path.join(go, 'go.mod'), 'utf8');
const floors = [
  ['python aws-cdk-lib', /^Requires-Dist: aws-cdk-lib .*>=([0-9.]+)/m.exec(metadata)?.[1], floor('aws-cdk-lib')],
  ['python constructs', /^Requires-Dist: constructs .*>=([0-9.]+)/m.exec(metadata)?.[1], floor('constructs')],
  ['go awscdk/v2', /aws-cdk-go\/awscdk\/v2 v([0-9.]+)/.exec(goMod)?.[1], floor('aws-cdk-lib')],
  ['go constructs/v10', /constructs-go\/constructs\/v10 v([0-9.]+)/.exec(goMod)?.[1], floor('constructs')],
];
const wrong = floors.filter(([, found, expected]) => found !== expected);
if (wrong.length > 0) {
  console.error(wrong.map(([what, found, expected]) => `package-bindings: ${what} floor is ${found}, package.json's is ${expected}`).join('\n'));
  process.exit(1);
}
console.log(`Python and Go require aws-cdk-lib >= ${floor('aws-cdk-lib')} and constructs >= ${floor('constructs')}, as package.json does.`);
NODE

size() { wc -c <"$1" | tr -d ' '; }
printf '%-8s %s\n' js "$js_tarball ($(size "$js_tarball") bytes)"
printf '%-8s %s\n' python "$wheel ($(size "$wheel") bytes)"
printf '%-8s %s\n' java "$jar ($(size "$jar") bytes)"
printf '%-8s %s\n' go "$go_dir ($(find "$go_dir" -type f | wc -l | tr -d ' ') files; go.mod requires $(grep -oE '(awscdk/v2|constructs/v10) v[0-9.]+' "$go_dir/go.mod" | tr '\n' ' ' | sed 's/ $//'))"
printf '%-8s %s\n' dotnet "$dotnet_dir ($(find "$dotnet_dir" -type f | wc -l | tr -d ' ') files, source only)"
