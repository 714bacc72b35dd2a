/**
 * `npm run bench`: compares each library example with a hand-written aws-cdk-lib stack doing the
 * same job (bench/baseline/), adds the latency model of push → live and rollback (modelled, see
 * latency-model.ts) and the atomic release on moto against a plain `aws s3 sync` (release-scale.ts);
 * prints a Markdown report and writes it to bench/results.md.
 *
 * Options: `--runs N` timed synthesis runs per side (default 7); `--flags recommended|none` the
 * feature flags of the apps (default recommended: those `cdk init` writes into a new project);
 * `--release-files 100,1000,10000` the site sizes of the release section; `--only synth|release`
 * one section, printed only (bench/results.md keeps the last full run).
 */
import { fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Comparison, COMPARISONS } from './comparisons';
import { FeatureFlags, Subject, SynthTiming } from './harness';
import { latencyModelSection, serverRollbackSection } from './latency-model';
import { measureReleaseScale, releaseScaleSection } from './release-scale';
import { ComparisonResult, comparisonSection, SideResult } from './report';
import { inspectSubject } from './stack-metrics';

/** How the benchmark runs. */
interface Options {
  readonly runs: number;
  readonly flags: FeatureFlags;
  readonly releaseFiles: number[];
  readonly only?: 'synth' | 'release';
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const sections = [header(options)];
  if (options.only !== 'release') {
    for (const comparison of COMPARISONS) {
      sections.push(comparisonSection(await measure(comparison, options)));
    }
  }
  if (options.only !== 'release') {
    sections.push(latencyModelSection());
    sections.push(serverRollbackSection());
  }
  if (options.only !== 'synth') {
    sections.push(releaseScaleSection(await measureReleaseScale(options.releaseFiles, (line) => process.stderr.write(`${line}\n`))));
  }
  const markdown = `${sections.join('\n\n')}\n`;
  console.log(markdown);
  if (!options.only) fs.writeFileSync(path.join(__dirname, 'results.md'), markdown);
}

/** Times both sides of a comparison in child processes, then inspects both here. */
async function measure(comparison: Comparison, options: Options): Promise<ComparisonResult> {
  const sides = [comparison.library, comparison.baseline];
  process.stderr.write(`${comparison.title}: `);
  // Unmeasured: the first process in a while reads node_modules from disk, the next ones from the page cache.
  for (const subject of sides) {
    await timeInChildProcess(subject, options.flags);
  }
  const timings = new Map<Subject, SynthTiming[]>(sides.map((subject) => [subject, []]));
  for (let run = 0; run < options.runs; run++) {
    // Alternating which side goes first keeps a drift of the machine from favouring one side.
    for (const subject of run % 2 === 0 ? sides : [...sides].reverse()) {
      timings.get(subject)!.push(await timeInChildProcess(subject, options.flags));
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const side = (subject: Subject): SideResult => ({
    subject,
    metrics: inspectSubject(subject, options.flags),
    timings: timings.get(subject)!,
  });
  return {
    title: comparison.title,
    extraResourceKinds: comparison.extraResourceKinds,
    library: side(comparison.library),
    baseline: side(comparison.baseline),
  };
}

/** Runs the subject's module in a new process, which synthesizes once and sends its timing. */
function timeInChildProcess(subject: Subject, flags: FeatureFlags): Promise<SynthTiming> {
  return new Promise((resolve, reject) => {
    // fork() starts node with this process's execArgv: ts-node, its tsconfig and the path mapping.
    const child = fork(subject.file, [flags], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    let timing: SynthTiming | undefined;
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('message', (message) => {
      timing = message as SynthTiming;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && timing) {
        resolve(timing);
      } else {
        reject(new Error(`${path.relative(process.cwd(), subject.file)} exited with code ${code}:\n${stderr}`));
      }
    });
  });
}

/** The report's header: the machine, the versions and how the figures were taken. */
function header(options: Options): string {
  const cpus = os.cpus();
  const library = path.relative(process.cwd(), require.resolve('cdk-deploy-pipelines'));
  const libraryNote = library.endsWith('.ts')
    ? ' (TypeScript that ts-node compiles in every process, so the "process" row includes compiling the library, ' +
      'which users of the published package do not pay)'
    : '';
  const flags = options.flags === 'recommended'
    ? 'those `cdk init` writes into a new project\'s cdk.json (this aws-cdk-lib\'s recommended flags)'
    : 'none (a bare `new App()`)';
  return [
    '# Benchmark: cdk-deploy-pipelines vs hand-written aws-cdk-lib',
    '',
    `- Machine: ${os.type()} ${os.release()} ${os.arch()}, ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, Node.js ${process.version}`,
    `- aws-cdk-lib ${versionOf('aws-cdk-lib')}, cdk-nag ${versionOf('cdk-nag')} (AwsSolutions pack), ` +
      `library loaded from \`${library}\`${libraryNote}`,
    `- Feature flags: ${flags}`,
    `- Synthesis: median (and range) of ${options.runs} run${options.runs === 1 ? '' : 's'} per side, each in a process of its own, ` +
      'sides alternating, after one unmeasured run per side. "synth" is constructing the app and `app.synth()`, ' +
      'modules already loaded; ' +
      '"process" is from process start (node, ts-node, module load) to the end of synthesis.',
    '- Ratio: library / baseline.',
  ].join('\n');
}

function versionOf(pkg: string): string {
  return JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`), 'utf-8')).version;
}

function parseOptions(args: string[]): Options {
  let runs = 7;
  let flags: FeatureFlags = 'recommended';
  let releaseFiles = [100, 1000, 10000];
  let only: Options['only'];
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = args[i].split('=', 2);
    const value = inline ?? args[++i];
    if (name === '--runs' && /^[1-9]\d*$/.test(value ?? '')) {
      runs = Number(value);
    } else if (name === '--flags' && (value === 'recommended' || value === 'none')) {
      flags = value;
    } else if (name === '--release-files' && /^\d+(,\d+)*$/.test(value ?? '') && value.split(',').every((n) => Number(n) > 6)) {
      releaseFiles = value.split(',').map(Number);
    } else if (name === '--only' && (value === 'synth' || value === 'release')) {
      only = value;
    } else {
      throw new Error(`unknown option or value '${args.slice(i - (inline ? 0 : 1), i + 1).join(' ')}'; ` +
        'usage: bench/run.ts [--runs N] [--flags recommended|none] [--release-files N,N,...] [--only synth|release]');
    }
  }
  return { runs, flags, releaseFiles, only };
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
