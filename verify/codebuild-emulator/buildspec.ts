/**
 * The buildspec as the emulator runs it: the phases, their commands and runtimes, and the artifact
 * files, read from the JSON that `BuildSpec.fromObject` renders.
 */

/** The buildspec phases, in the order CodeBuild runs them. */
export const PHASES = ['install', 'pre_build', 'build', 'post_build'] as const;
export type PhaseName = typeof PHASES[number];

/** The parts of a buildspec the emulator runs. */
export interface BuildSpec {
  readonly shell: string;
  readonly phases: Partial<Record<PhaseName, BuildSpecPhase>>;
  readonly baseDirectory: string;
  readonly files: string[];
}

export interface BuildSpecPhase {
  readonly runtimeVersions?: Record<string, string>;
  readonly commands: string[];
  readonly onFailure?: 'ABORT' | 'CONTINUE';
}

/**
 * Parses the JSON buildspec that `BuildSpec.fromObject` renders. Keys the emulator does not emulate are
 * an error rather than ignored, so a buildspec never passes by having part of it skipped; so is an
 * `on-failure` on Lambda compute, which CodeBuild does not support there ("The on-failure attribute
 * is not supported when using Lambda compute or reserved capacity").
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda-compute-images.html
 */
export function parseBuildSpec(text: string, lambda: boolean): BuildSpec {
  let spec: any;
  try {
    spec = JSON.parse(text);
  } catch (e) {
    throw new Error(`the buildspec is not JSON (${(e as Error).message}); the emulator reads what BuildSpec.fromObject renders`);
  }
  expectKeys('the buildspec', spec, ['version', 'env', 'phases', 'artifacts', 'reports', 'cache']);
  if (spec.version !== '0.2') throw new Error(`buildspec version ${spec.version} is not 0.2`);
  expectKeys('env', spec.env ?? {}, ['shell']);
  expectKeys('artifacts', spec.artifacts ?? {}, ['base-directory', 'files']);
  const phases: Partial<Record<PhaseName, BuildSpecPhase>> = {};
  expectKeys('phases', spec.phases ?? {}, [...PHASES]);
  for (const name of PHASES) {
    const phase = spec.phases?.[name];
    if (!phase) continue;
    expectKeys(`phase ${name}`, phase, name === 'install' ? ['runtime-versions', 'commands', 'on-failure'] : ['commands', 'on-failure']);
    if (phase['on-failure'] && lambda) {
      throw new Error(`phase ${name} has on-failure: ${phase['on-failure']}, which CodeBuild does not support on Lambda compute`);
    }
    if (phase['on-failure'] && !['ABORT', 'CONTINUE'].includes(phase['on-failure'])) {
      throw new Error(`phase ${name} has on-failure: ${phase['on-failure']}, which the emulator does not emulate`);
    }
    phases[name] = { runtimeVersions: phase['runtime-versions'], commands: phase.commands ?? [], onFailure: phase['on-failure'] };
  }
  return {
    // CodeBuild's default shell on Linux images is sh.
    shell: spec.env?.shell ?? 'sh',
    phases,
    baseDirectory: spec.artifacts?.['base-directory'] ?? '.',
    files: spec.artifacts?.files ?? [],
  };
}

function expectKeys(where: string, obj: Record<string, unknown>, known: string[]): void {
  const unknown = Object.keys(obj).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`${where} has ${unknown.join(', ')}, which the emulator does not emulate; teach it how CodeBuild treats them`);
}
