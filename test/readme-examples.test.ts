import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Token } from 'aws-cdk-lib';
import * as ts from 'typescript';

// jsii-rosetta only compiles the README's examples; this runs each one as a user pastes it: in
// the rosetta fixture's stack, which has no env (account and region unknown at synth time).

const ROOT = path.join(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const FIXTURE = fs.readFileSync(path.join(ROOT, 'rosetta', 'default.ts-fixture'), 'utf8');

/**
 * What stands for each value an example declares (`declare const vpc: ec2.IVpc;`), by type: the
 * reader brings their own, the test makes one.
 */
const STAND_INS: Record<string, string> = {
  'ec2.IVpc': "new ec2.Vpc(this, 'StandInVpc')",
  'acm.ICertificate': "acm.Certificate.fromCertificateArn(this, 'StandInCertificate', 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555')",
  'route53.IHostedZone': "route53.HostedZone.fromHostedZoneAttributes(this, 'StandInZone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' })",
};

/** The TypeScript examples of the README, with the line each starts on. */
function examples(): Array<{ line: number; code: string }> {
  return [...README.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => ({
    line: README.slice(0, m.index).split('\n').length + 1,
    code: m[1],
  }));
}

/** The example inside the fixture's stack, its declarations replaced by stand-ins, as CommonJS. */
function program(code: string): string {
  const body = code.replace(/^declare const (\w+): ([\w.]+);$/gm, (_line, name: string, type: string) => {
    const standIn = STAND_INS[type];
    if (!standIn) {
      throw new Error(`no stand-in for a declared ${type}; add one to STAND_INS`);
    }
    return `const ${name}: ${type} = ${standIn};`;
  });
  const source = FIXTURE
    .replace('/// here', body)
    .replace("new MyStack(new App(), 'MyStack');", "export const app = new App();\nnew MyStack(app, 'MyStack');");
  return ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
}

/** Runs the program with the library from src/ and returns its app. */
function run(js: string): App {
  const exports: { app?: App } = {};
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the example's own imports, resolved at run time
  const load = (id: string) => (id === 'cdk-deploy-pipelines' ? require('../src') : require(id));
  new Function('require', 'exports', js)(load, exports);
  return exports.app!;
}

test('the README has TypeScript examples', () => {
  expect(examples().length).toBeGreaterThanOrEqual(3);
});

test.each(examples().map((e) => [e.line, e.code] as const))('the README example at line %i synthesizes in a stack without env', (_line, code) => {
  const app = run(program(code));
  const stack = app.node.findChild('MyStack') as Stack;
  expect(Token.isUnresolved(stack.region)).toBe(true);
  const assembly = app.synth();
  const errors = assembly.getStackArtifact(stack.artifactId).messages.filter((m) => m.level === 'error');
  expect(errors).toEqual([]);
});
