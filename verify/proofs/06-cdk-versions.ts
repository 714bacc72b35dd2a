import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { ProofResult } from '../proof';

const ROOT = path.resolve(__dirname, '..', '..');

/** One aws-cdk-lib the library must work with. */
interface CdkVersion {
  readonly label: string;
  readonly awsCdkLib: string;
  readonly constructs: string;
}

/**
 * Proves the examples synthesize, with no warning and no error, on the oldest aws-cdk-lib the
 * library declares (its peer dependency floor) and on the newest one published, which validates
 * every template against CloudFormation's rules (made strict here, so a warning fails).
 *
 * Each version is installed from the npm registry into its own temporary folder, next to a plain
 * JavaScript copy of src/, examples/ and verify/example-stacks.ts, so nothing resolves to the
 * aws-cdk-lib this repository develops against.
 */
export default {
  async run(): Promise<ProofResult> {
    const failures: string[] = [];
    const details: string[] = [];
    let tried = 0;
    for (const version of versionsUnderTest()) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdp-cdk-${version.label}-`));
      try {
        const install = installCdk(dir, version);
        if (install) {
          failures.push(`aws-cdk-lib ${version.awsCdkLib}: npm install failed (the npm registry must be reachable): ${install}`);
          continue;
        }
        copyAsJavaScript(dir);
        const results = synthesizeExamples(dir);
        const installed = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8')).version;
        for (const result of results) {
          tried += 1;
          if (result.error || result.messages.length) {
            failures.push(`aws-cdk-lib ${installed} (${version.label}) ${result.stack}: ${result.error ?? result.messages.join('; ')}`);
          }
        }
        details.push(`aws-cdk-lib ${installed} (${version.label}): ${results.length} stacks synthesized, ` +
          `${results.filter((r) => r.error || r.messages.length).length} with errors or warnings`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    return { proof: 'aws-cdk-lib floor and newest', tried, passed: tried - failures.length, failures, details };
  },
};

/** The peer dependency floor of package.json, and the newest published aws-cdk-lib. */
function versionsUnderTest(): CdkVersion[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const floor = (range: string) => range.replace(/^[\^~>=]+/, '');
  return [
    { label: 'floor', awsCdkLib: floor(pkg.peerDependencies['aws-cdk-lib']), constructs: floor(pkg.peerDependencies.constructs) },
    { label: 'newest', awsCdkLib: 'latest', constructs: 'latest' },
  ];
}

/** Installs aws-cdk-lib and constructs into `dir`; returns the error output when it fails. */
function installCdk(dir: string, version: CdkVersion): string | undefined {
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true }));
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error',
    `aws-cdk-lib@${version.awsCdkLib}`, `constructs@${version.constructs}`], { cwd: dir, encoding: 'utf8' });
  return npm.status === 0 ? undefined : `${npm.stderr}`.trim().split('\n').slice(-3).join(' ');
}

/**
 * Transpiles the library into `dir/node_modules/cdk-deploy-pipelines` and the examples beside it,
 * so `require('cdk-deploy-pipelines')` and `require('aws-cdk-lib')` both resolve inside `dir`.
 */
function copyAsJavaScript(dir: string): void {
  const lib = path.join(dir, 'node_modules', 'cdk-deploy-pipelines');
  transpileTree(path.join(ROOT, 'src'), path.join(lib, 'lib'));
  fs.writeFileSync(path.join(lib, 'package.json'), JSON.stringify({ name: 'cdk-deploy-pipelines', main: 'lib/index.js' }));
  transpileTree(path.join(ROOT, 'examples'), path.join(dir, 'examples'));
  transpileTree(path.join(ROOT, 'verify'), path.join(dir, 'verify'), (file) => file === path.join(ROOT, 'verify', 'example-stacks.ts'));
}

/** Writes every .ts file under `from` (that `include` accepts) as CommonJS under `to`, and copies runtime/ files. */
function transpileTree(from: string, to: string, include: (file: string) => boolean = () => true): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'cdk.out') {
      transpileTree(source, path.join(to, entry.name), include);
    } else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && include(source)) {
      const output = ts.transpileModule(fs.readFileSync(source, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        fileName: source,
      });
      fs.mkdirSync(to, { recursive: true });
      fs.writeFileSync(path.join(to, entry.name.replace(/\.ts$/, '.js')), output.outputText);
    } else if (entry.isFile() && path.basename(from) === 'runtime' && include(source)) {
      // The programs the constructs read at synth time ship as they are, as in the package.
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(source, path.join(to, entry.name));
    }
  }
}

/** What one example stack's synthesis reported. */
interface SynthResult {
  readonly stack: string;
  readonly error?: string;
  readonly messages: string[];
}

/**
 * Synthesizes every example stack in a child process rooted in `dir`, with CloudFormation template
 * validation on and strict (errors fail synthesis, warnings too), and returns what each reported.
 */
function synthesizeExamples(dir: string): SynthResult[] {
  const script = `
    process.env.CDK_CONTEXT_JSON = JSON.stringify({
      '@aws-cdk/core:validateAgainstDefaultRules': true,
      '@aws-cdk/core:strictCfnValidateErrors': true,
    });
    const { exampleStacks } = require('./verify/example-stacks');
    // A failed template validation names its report; its violations say what to fix.
    function describeFailure(message) {
      const report = /found in: (\\S+validation-report\\.json)/.exec(message);
      if (!report) return message.split('\\n').slice(0, 6).join(' ');
      const json = JSON.parse(require('fs').readFileSync(require('path').resolve(report[1]), 'utf8'));
      return json.pluginReports.flatMap((p) => p.violations.map((v) =>
        v.ruleName + ' ' + v.description + ' at ' + v.violatingConstructs.map((c) => c.constructPath).join(', '))).join('; ');
    }
    const results = exampleStacks().map((stack) => {
      try {
        const messages = stack.node.root.synth().getStackByName(stack.stackName).messages
          .filter((m) => m.level !== 'info')
          .map((m) => m.level + ' ' + m.id + ': ' + String(m.entry.data).split('\\n')[0]);
        return { stack: stack.stackName, messages };
      } catch (e) {
        return { stack: stack.stackName, error: describeFailure(String(e.message)), messages: [] };
      }
    });
    process.stdout.write(JSON.stringify(results));
  `;
  const child = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (child.status !== 0) {
    const stderr = child.stderr.trim().split('\n');
    const message = stderr.find((line) => /Error/.test(line)) ?? stderr[stderr.length - 1];
    const where = stderr.find((line) => line.includes('cdk-deploy-pipelines/lib/')) ?? '';
    return [{ stack: '(all)', error: `synthesis crashed: ${message.trim()} ${where.trim()}`, messages: [] }];
  }
  return JSON.parse(child.stdout);
}
