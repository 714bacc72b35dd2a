/**
 * Runs the README's two complete apps in TypeScript, Python, Java and Go against the packages this
 * checkout built (dist/, by `npx projen package:js|python|java|go`) and aws-cdk-lib 2.257.0 from each
 * language's own registry, then compares every language's templates with TypeScript's.
 *
 *   ts-node test/consumers/consumer-apps.ts     (the consumer-apps task; `npm test` runs it)
 *
 * The TypeScript apps are the README's `ts nofixture` blocks themselves; the others are their
 * jsii-rosetta translations in test/consumers/<language>/. A template that differs is a bug in the
 * API's jsii shape (or in a translation), and fails the run. Downloads stay in each tool's usual
 * cache (pip's, ~/.m2, Go's module cache), so only the first run on a machine fetches them.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const CONSUMERS = path.join(ROOT, 'test', 'consumers');
/** Everything a run writes: the virtualenv, the TypeScript apps, each language's cloud assembly. */
const WORK = path.join(ROOT, '.tmp', 'consumers');

/** The stacks the README's apps create, one template each. */
const STACKS = ['MarketingSite', 'Api'];

/** One language: how to install what its apps need, and the commands that synthesize them. */
interface Language {
  readonly name: string;
  readonly install: Command[];
  readonly apps: Command[];
}

interface Command {
  readonly cmd: string;
  readonly args: string[];
  readonly cwd: string;
}

const venv = path.join(WORK, 'venv');
const python = path.join(venv, 'bin', 'python');
const javaDir = path.join(CONSUMERS, 'java');
const goDir = path.join(CONSUMERS, 'go');

/** The languages, TypeScript first: the others are compared with it. */
function languages(): Language[] {
  const typescriptApps = writeReadmeApps();
  const runTs = (file: string): Command => ({
    cmd: 'npx',
    args: ['ts-node', '--transpile-only', '-P', 'examples/tsconfig.json', '-r', 'tsconfig-paths/register', file],
    cwd: ROOT,
  });
  return [
    { name: 'typescript', install: [], apps: typescriptApps.map(runTs) },
    {
      name: 'python',
      install: [
        { cmd: 'python3', args: ['-m', 'venv', venv], cwd: ROOT },
        {
          cmd: path.join(venv, 'bin', 'pip'),
          args: ['install', '--quiet', '--disable-pip-version-check', '-r', 'requirements.txt', onlyFile(path.join(ROOT, 'dist', 'python'), '.whl')],
          cwd: path.join(CONSUMERS, 'python'),
        },
        // The venv outlives a run, and pip keeps an installed 0.0.0 when given a new wheel of 0.0.0.
        {
          cmd: path.join(venv, 'bin', 'pip'),
          args: ['install', '--quiet', '--disable-pip-version-check', '--force-reinstall', '--no-deps', onlyFile(path.join(ROOT, 'dist', 'python'), '.whl')],
          cwd: path.join(CONSUMERS, 'python'),
        },
      ],
      apps: ['marketing_site.py', 'api.py'].map((app) => ({ cmd: python, args: [app], cwd: path.join(CONSUMERS, 'python') })),
    },
    {
      name: 'java',
      // The jar of an earlier run (same version, 0.0.0) would otherwise stay in ~/.m2 and hide this one.
      install: [{ cmd: 'rm', args: ['-rf', path.join(mavenRepository(), 'io', 'github', 'cdk-deploy-pipelines')], cwd: javaDir }],
      apps: ['MarketingSiteApp', 'ApiApp'].map((app) => ({
        cmd: 'mvn',
        args: ['--batch-mode', '--quiet', '--errors', 'compile', 'exec:java', `-Dapp=com.example.${app}`],
        cwd: javaDir,
      })),
    },
    {
      name: 'go',
      install: [{ cmd: 'go', args: ['build', '-o', path.join(WORK, 'go-bin') + path.sep, './...'], cwd: goDir }],
      apps: ['marketingsite', 'api'].map((app) => ({ cmd: path.join(WORK, 'go-bin', app), args: [], cwd: goDir })),
    },
  ];
}

function main(): void {
  checkPythonQuickStart();
  fs.rmSync(path.join(WORK, 'out'), { recursive: true, force: true });
  const timings: string[] = [];
  for (const language of languages()) {
    const outdir = path.join(WORK, 'out', language.name);
    const installSeconds = timed(() => language.install.forEach((c) => run(c, {})));
    const synthSeconds = timed(() => language.apps.forEach((c) => run(c, { CDK_OUTDIR: outdir })));
    timings.push(`${language.name.padEnd(10)} install/build ${installSeconds.toFixed(1).padStart(6)} s   synth ${synthSeconds.toFixed(1).padStart(6)} s`);
  }
  console.log(timings.join('\n'));
  const differences = compareWithTypescript();
  if (differences > 0) {
    console.error(`consumer-apps: ${differences} templates differ from TypeScript's`);
    process.exit(1);
  }
}

/** The README's Python quick start must be test/consumers/python/marketing_site.py, the app that runs. */
function checkPythonQuickStart(): void {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /```python\n([\s\S]*?)```/.exec(readme)?.[1];
  const app = fs.readFileSync(path.join(CONSUMERS, 'python', 'marketing_site.py'), 'utf8');
  if (block !== app) {
    console.error('consumer-apps: the README\'s Python quick start differs from test/consumers/python/marketing_site.py; make them equal');
    process.exit(1);
  }
}

/** Writes each `ts nofixture` block of the README (a complete app) to its own file; returns the files. */
function writeReadmeApps(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts nofixture\n([\s\S]*?)```/g)].map((m) => m[1]);
  const dir = path.join(WORK, 'typescript');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return blocks.map((source, i) => {
    const file = path.join(dir, `readme-app-${i + 1}.ts`);
    fs.writeFileSync(file, source);
    return file;
  });
}

/**
 * Prints, for each stack, whether each language's template equals TypeScript's once metadata and
 * asset hashes are left out; returns how many differ (a missing template counts as a difference).
 */
function compareWithTypescript(): number {
  const names = fs.readdirSync(path.join(WORK, 'out')).filter((n) => n !== 'typescript').sort();
  let differences = 0;
  console.log(`\n${'stack'.padEnd(14)}${'resources'.padStart(10)}  ${names.map((n) => n.padEnd(26)).join('')}`);
  for (const stack of STACKS) {
    const reference = template('typescript', stack);
    const cells = names.map((language) => {
      const other = template(language, stack);
      const diff = reference && other ? firstDifference(reference, other) : 'no template';
      if (diff) differences += 1;
      return diff ? `DIFFERS: ${diff}` : 'equal to TypeScript';
    });
    const count = reference ? String(Object.keys(reference.Resources ?? {}).length) : '-';
    console.log(`${stack.padEnd(14)}${count.padStart(10)}  ${cells.map((c) => c.padEnd(26)).join('')}`);
  }
  return differences;
}

/** The template a language synthesized for a stack, without metadata and asset hashes. */
function template(language: string, stack: string): any | undefined {
  const file = path.join(WORK, 'out', language, `${stack}.template.json`);
  return fs.existsSync(file) ? withoutMetadata(JSON.parse(fs.readFileSync(file, 'utf8'))) : undefined;
}

/**
 * The template without what depends on the language or the machine: the CDKMetadata resource and its
 * condition (they name the runtime), resource Metadata (construct paths, asset paths) and asset hashes.
 */
function withoutMetadata(t: any): any {
  const resources = Object.fromEntries(Object.entries(t.Resources ?? {})
    .filter(([id]) => id !== 'CDKMetadata')
    .map(([id, r]: [string, any]) => [id, { ...r, Metadata: undefined }]));
  const conditions = { ...t.Conditions, CDKMetadataAvailable: undefined };
  return JSON.parse(JSON.stringify({ ...t, Resources: resources, Conditions: conditions }).replace(/[0-9a-f]{64}/g, '<asset hash>'));
}

/** The path of the first value where two templates differ, or undefined when they are equal. */
function firstDifference(a: any, b: any, where = ''): string | undefined {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return a === b ? undefined : where || '/';
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    const diff = firstDifference(a[key], b[key], `${where}/${key}`);
    if (diff) return diff;
  }
  return undefined;
}

/** Runs a command, its output shown, and exits when it fails. */
function run(command: Command, env: Record<string, string>): void {
  const result = spawnSync(command.cmd, command.args, { cwd: command.cwd, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`consumer-apps: '${command.cmd} ${command.args.join(' ')}' in ${command.cwd} failed (${result.error ?? `exit ${result.status}`})`);
    process.exit(1);
  }
}

/** Seconds `f` took. */
function timed(f: () => void): number {
  const start = Date.now();
  f();
  return (Date.now() - start) / 1000;
}

/** The only file in `dir` whose name ends with `suffix`. */
function onlyFile(dir: string, suffix: string): string {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(suffix));
  if (files.length !== 1) throw new Error(`expected one *${suffix} in ${dir}, found ${files.join(', ') || 'none'}`);
  return path.join(dir, files[0]);
}

/** Maven's local repository, where `mvn` caches what it downloads. */
function mavenRepository(): string {
  return path.join(process.env.HOME ?? '', '.m2', 'repository');
}

main();
