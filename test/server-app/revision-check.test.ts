import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { revisionCheckCommands } from '../../src/server-app/revision-check';
import { asLambdaCompute, lambdaComputeDir, makeReadOnly, NO_HOME } from '../lambda-compute';

// The check is run for real, as CodeBuild runs it: a node process on a directory on disk.

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'revisions');
const EXAMPLE_APP = path.join(__dirname, '..', '..', 'examples', 'server-app');
const EVENTS = 'ApplicationStop, BeforeInstall, AfterInstall, ApplicationStart, ValidateService, '
  + 'BeforeBlockTraffic, AfterBlockTraffic, BeforeAllowTraffic, AfterAllowTraffic';
/** CodeDeploy's limit on the hook timeouts of one lifecycle event, in seconds. */
const MAX = 3600;
/** The program the buildspec unpacks and runs: the very file that ships. */
const SCRIPT_FILE = path.join(__dirname, '..', '..', 'src', 'server-app', 'runtime', 'appspec-check.js');

interface Run {
  readonly status: number | null;
  readonly stdout: string[];
  readonly stderr: string[];
}

let workDir: string;

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'revision-check-'));
});

afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

function run(command: string, args: string[], options: SpawnSyncOptions): Run {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  const lines = (text: string | Buffer) => text.toString().split('\n').filter((line) => line !== '');
  return { status: result.status, stdout: lines(result.stdout), stderr: lines(result.stderr) };
}

/** An environment as outside CodeBuild, even when the tests themselves run in CodeBuild. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // The buildspec unpacks the check into the temp directory: the test's own, removed after it.
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: workDir, ...extra };
  if (!('CODEBUILD_SRC_DIR' in extra)) delete env.CODEBUILD_SRC_DIR;
  return env;
}

/** Runs the script file on `dir` from inside `cwd`, so messages name the directory as given. */
function check(cwd: string, dir = '.'): Run {
  return run(process.execPath, [SCRIPT_FILE, dir], { cwd, env: cleanEnv() });
}

/** Runs the buildspec commands the way a post_build phase does: one shell, stop at the first failure. */
function runCommands(cwd: string, dir: string, shell = 'bash', env: Record<string, string> = {}, extra: string[] = []): Run {
  return run(shell, ['-e', '-c', [...revisionCheckCommands(dir), ...extra].join('\n')], { cwd, env: cleanEnv(env) });
}

/**
 * Copies a fixture into a fresh directory. Git keeps only the executable bit, so modes are set here:
 * every hook script executable, and tests that need otherwise chmod it themselves.
 */
function revision(fixture: string): string {
  const dir = fs.mkdtempSync(path.join(workDir, `${fixture}-`));
  fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  const chmodScripts = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) chmodScripts(full);
      else if (entry.name.endsWith('.sh')) fs.chmodSync(full, 0o755);
    }
  };
  chmodScripts(dir);
  return dir;
}

/** The good fixture with its appspec.yml replaced, for cases that need a single change. */
function revisionWithAppspec(...appspecLines: string[]): string {
  const dir = revision('good');
  fs.writeFileSync(path.join(dir, 'appspec.yml'), appspecLines.join('\n') + '\n');
  return dir;
}

const HEADER = ['version: 0.0', 'os: linux'];
const GOOD_SUMMARY = 'appspec check: OK: appspec.yml in . (os linux, 2 file mappings, 3 hook scripts in 2 lifecycle events)';

function failure(dir: string, ...problems: string[]): Run {
  return {
    status: 1,
    stdout: [],
    stderr: [...problems.map((p) => `appspec check: ${p}`), `appspec check: ${problems.length} problem(s) in ${dir}`],
  };
}

describe('revision check script', () => {
  test('accepts a valid revision and prints a one-line summary', () => {
    expect(check(revision('good'))).toEqual({ status: 0, stdout: [GOOD_SUMMARY], stderr: [] });
  });

  test('accepts appspec.yaml as the file name', () => {
    const dir = revision('good');
    fs.renameSync(path.join(dir, 'appspec.yml'), path.join(dir, 'appspec.yaml'));
    expect(check(dir).stdout).toEqual([GOOD_SUMMARY.replace('appspec.yml', 'appspec.yaml')]);
  });

  test('reports a missing appspec.yml and where a nested one was found', () => {
    expect(check(revision('missing-appspec'))).toEqual(failure('.',
      'no appspec.yml at the root of . (found app/appspec.yml inside it); the build output directory must contain appspec.yml at its root, '
      + 'so move it there or make app the build output directory',
    ));
  });

  test('reports a revision that has no appspec.yml anywhere', () => {
    const dir = fs.mkdtempSync(path.join(workDir, 'empty-'));
    expect(check(dir)).toEqual(failure('.',
      'no appspec.yml in .; the build output directory must contain appspec.yml at its root, so add one there (see the CodeDeploy AppSpec file reference)',
    ));
  });

  test('reports a revision directory that does not exist', () => {
    expect(check(workDir, 'no-such-dir')).toEqual(failure('no-such-dir',
      'revision directory no-such-dir does not exist; make the build write its output there, or check the directory given to the check',
    ));
  });

  test('reports a hook script that does not exist', () => {
    expect(check(revision('missing-hook-script'))).toEqual(failure('.',
      'appspec.yml line 11: hook script scripts/start.sh (ApplicationStart) does not exist in the revision; '
      + 'make the build copy it into the build output directory, or fix the location (it is relative to the revision root)',
    ));
  });

  test('reports a hook script that is not executable on linux', () => {
    const dir = revision('not-executable');
    fs.chmodSync(path.join(dir, 'scripts', 'start.sh'), 0o644);
    expect(check(dir)).toEqual(failure('.',
      'appspec.yml line 8: hook script scripts/start.sh (ApplicationStart) is not executable (mode 644); '
      + 'run "chmod +x scripts/start.sh" in the build, or commit the script as executable (git update-index --chmod=+x)',
    ));
  });

  test('does not require executable hook scripts when os is windows', () => {
    const dir = revision('not-executable');
    fs.chmodSync(path.join(dir, 'scripts', 'start.sh'), 0o644);
    fs.writeFileSync(path.join(dir, 'appspec.yml'), [
      'version: 0.0',
      'os: windows',
      'files:',
      '  - source: \\',
      '    destination: c:\\app',
      'hooks:',
      '  ApplicationStart:',
      '    - location: scripts\\start.sh',
    ].join('\n'));
    expect(check(dir)).toEqual({
      status: 0,
      stdout: ['appspec check: OK: appspec.yml in . (os windows, 1 file mapping, 1 hook script in 1 lifecycle event)'],
      stderr: [],
    });
  });

  test('reports a lifecycle event whose hook timeouts add up to more than 3600 seconds', () => {
    expect(check(revision('timeouts-over-limit'))).toEqual(failure('.',
      `appspec.yml line 10: hook timeouts of AfterInstall add up to 3700 seconds, over the limit of ${MAX} per lifecycle event; `
      + `lower the timeouts so they add up to ${MAX} or less`,
    ));
  });

  test('accepts hook timeouts that add up to exactly 3600 seconds', () => {
    const dir = revisionWithAppspec(...HEADER,
      'hooks:',
      '  AfterInstall:',
      '    - location: scripts/install.sh',
      '      timeout: 1800',
      '    - location: scripts/start.sh',
      '      timeout: 1800',
    );
    expect(check(dir).status).toBe(0);
  });

  test('counts a hook without timeout as 3600 seconds', () => {
    const dir = revisionWithAppspec(...HEADER,
      'hooks:',
      '  AfterInstall:',
      '    - location: scripts/install.sh',
      '    - location: scripts/start.sh',
      '      timeout: 1',
    );
    expect(check(dir)).toEqual(failure('.',
      `appspec.yml line 4: hook timeouts of AfterInstall add up to 3601 seconds, over the limit of ${MAX} per lifecycle event `
      + `(a hook without timeout counts as 3600); lower the timeouts so they add up to ${MAX} or less`,
    ));
  });

  test('reports timeouts that are not whole numbers of seconds from 1 to 3600', () => {
    const dir = revisionWithAppspec(...HEADER,
      'hooks:',
      '  AfterInstall:',
      '    - location: scripts/install.sh',
      '      timeout: 0',
      '    - location: scripts/start.sh',
      '      timeout: 3601',
      '  ApplicationStart:',
      '    - location: scripts/start.sh',
      '      timeout: 1.5',
    );
    const hint = `is not a whole number of seconds from 1 to ${MAX}; set it in that range`;
    expect(check(dir)).toEqual(failure('.',
      `appspec.yml line 6: timeout 0 of hook script scripts/install.sh (AfterInstall) ${hint}`,
      `appspec.yml line 8: timeout 3601 of hook script scripts/start.sh (AfterInstall) ${hint}`,
      `appspec.yml line 11: timeout 1.5 of hook script scripts/start.sh (ApplicationStart) ${hint}`,
    ));
  });

  test('reports an unknown lifecycle event and lists the valid ones', () => {
    expect(check(revision('unknown-event'))).toEqual(failure('.',
      `appspec.yml line 7: unknown lifecycle event AfterDeploy in hooks; use one of ${EVENTS} (names are case-sensitive)`,
    ));
  });

  test('reports hook scripts on a lifecycle event that only the agent runs', () => {
    const dir = revisionWithAppspec(...HEADER,
      'hooks:',
      '  Install:',
      '    - location: scripts/install.sh',
    );
    expect(check(dir)).toEqual(failure('.',
      `appspec.yml line 4: lifecycle event Install is run by the CodeDeploy agent itself and cannot have hook scripts; move its scripts to one of ${EVENTS}`,
    ));
  });

  test('reports a version other than 0.0', () => {
    expect(check(revision('bad-version'))).toEqual(failure('.',
      'appspec.yml line 1: version is 1.0 but must be 0.0; set "version: 0.0" (the only version CodeDeploy supports)',
    ));
  });

  test('reports a quoted version, which the agent rejects', () => {
    const dir = revisionWithAppspec('version: "0.0"', 'os: linux');
    expect(check(dir)).toEqual(failure('.',
      'appspec.yml line 1: version is the string "0.0", which the CodeDeploy agent rejects; remove the quotes: version: 0.0',
    ));
  });

  test('reports an os other than linux or windows', () => {
    const dir = revisionWithAppspec('version: 0.0', 'os: ubuntu');
    expect(check(dir)).toEqual(failure('.',
      'appspec.yml line 2: os is ubuntu but must be linux or windows; '
      + 'set "os: linux" for Amazon Linux, Ubuntu Server and RHEL, or "os: windows" for Windows Server',
    ));
  });

  test('reports a missing version and os', () => {
    const dir = revisionWithAppspec('files:', '  - source: /', '    destination: /opt/app');
    expect(check(dir)).toEqual(failure('.',
      'appspec.yml: version is missing; add "version: 0.0" as a top-level line',
      'appspec.yml: os is missing; add "os: linux" (Amazon Linux, Ubuntu Server, RHEL) or "os: windows" (Windows Server) as a top-level line',
    ));
  });

  test('reports an empty appspec.yml', () => {
    const dir = revisionWithAppspec('# nothing here yet');
    expect(check(dir)).toEqual(failure('.',
      'appspec.yml is empty; add at least "version: 0.0" and "os: linux" to it',
    ));
  });

  test('reports a files source that does not exist in the revision', () => {
    const dir = revisionWithAppspec(...HEADER, 'files:', '  - source: build/', '    destination: /opt/app');
    expect(check(dir)).toEqual(failure('.',
      'appspec.yml line 4: files source build/ does not exist in the revision; make the build put it in the build output directory, '
      + 'or fix the path (it is relative to the revision root, "/" means the whole revision)',
    ));
  });

  test('reports a files source outside the revision', () => {
    const dir = revisionWithAppspec(...HEADER, 'files:', '  - source: ../secrets', '    destination: /opt/app');
    expect(check(dir)).toEqual(failure('.',
      'appspec.yml line 4: files source ../secrets points outside the revision; use a path inside the build output directory',
    ));
  });

  test('reports a files destination that is not an absolute path', () => {
    const dir = revisionWithAppspec(...HEADER, 'files:', '  - source: /', '    destination: opt/app');
    expect(check(dir)).toEqual(failure('.',
      'appspec.yml line 5: files destination opt/app is not an absolute path; use a fully qualified path such as /opt/app',
    ));
  });

  test('reports a file_exists_behavior that CodeDeploy does not know', () => {
    const dir = revisionWithAppspec(...HEADER, 'file_exists_behavior: REPLACE');
    expect(check(dir)).toEqual(failure('.',
      'appspec.yml line 3: file_exists_behavior is REPLACE but must be DISALLOW, OVERWRITE or RETAIN; use one of those or remove the line (DISALLOW is the default)',
    ));
  });

  test('reports an unknown top-level key', () => {
    const dir = revisionWithAppspec(...HEADER, 'Hooks:', '  AfterInstall:', '    - location: scripts/install.sh');
    expect(check(dir)).toEqual(failure('.',
      'appspec.yml line 3: unknown top-level key "Hooks"; use only version, os, files, permissions, hooks, file_exists_behavior (check spelling, case and indentation)',
    ));
  });

  test('reports an unknown key in a hook', () => {
    const dir = revisionWithAppspec(...HEADER,
      'hooks:',
      '  AfterInstall:',
      '    - location: scripts/install.sh',
      '      timout: 60',
    );
    expect(check(dir)).toEqual(failure('.',
      'appspec.yml line 6: unknown key "timout" in a hook of AfterInstall; use only location, timeout and runas (check spelling and indentation)',
    ));
  });

  test('reports a hook without location', () => {
    const dir = revisionWithAppspec(...HEADER, 'hooks:', '  AfterInstall:', '    - timeout: 60');
    expect(check(dir)).toEqual(failure('.',
      'appspec.yml line 5: a hook of AfterInstall has no location; add "location: <script path relative to the revision root>"',
    ));
  });

  test('reports every problem in file order, not just the first', () => {
    const dir = revisionWithAppspec(
      'version: 1',
      'os: linux',
      'hooks:',
      '  AfterDeploy:',
      '    - location: scripts/notify.sh',
      '  ApplicationStart:',
      '    - location: scripts/missing.sh',
      '      timeout: 60',
    );
    const result = check(dir);
    expect(result.status).toBe(1);
    expect(result.stderr.map((line) => line.replace(/;.*/, ''))).toEqual([
      'appspec check: appspec.yml line 1: version is 1 but must be 0.0',
      'appspec check: appspec.yml line 4: unknown lifecycle event AfterDeploy in hooks',
      'appspec check: appspec.yml line 7: hook script scripts/missing.sh (ApplicationStart) does not exist in the revision',
      'appspec check: 3 problem(s) in .',
    ]);
  });

  test.each([
    ['a tab in the indentation', ['version: 0.0', 'os: linux', 'hooks:', '\tAfterInstall:'], 4,
      'tab in indentation; indent with spaces only'],
    ['a flow mapping', ['version: 0.0', 'os: {name: linux}'], 2,
      'flow mappings ({ ... }) are not supported; write the mapping as indented "key: value" lines'],
    ['a block scalar', ['version: 0.0', 'os: |', '  linux'], 2,
      'block scalars (| or >) are not supported; put the value on one line'],
    ['an unterminated quoted string', ['version: 0.0', 'os: "linux'], 2,
      'unterminated quoted string; close the quote on the same line (multi-line strings are not supported)'],
    ['a line indented deeper than its siblings', ['version: 0.0', 'os: linux', 'files:', '  - source: /', '   destination: /opt/app'], 5,
      'unexpected indentation; align this line with the lines it belongs to (values that continue on a second line are not supported)'],
    ['a duplicate key', ['version: 0.0', 'os: linux', 'hooks:', 'hooks:'], 4,
      'duplicate key "hooks" (first on line 3); keep only one of them'],
  ])('reports YAML it cannot parse, with the line number: %s', (_name, appspec, line, message) => {
    expect(check(revisionWithAppspec(...appspec))).toEqual(failure('.', `appspec.yml line ${line}: cannot parse: ${message}`));
  });
});

describe('revision check buildspec commands', () => {
  test('pass a valid revision in bash', () => {
    expect(runCommands(revision('good'), '.')).toEqual({ status: 0, stdout: [GOOD_SUMMARY], stderr: [] });
  });

  test('fail in bash with the problems when the revision is broken', () => {
    expect(runCommands(revision('bad-version'), '.')).toEqual(failure('.',
      'appspec.yml line 1: version is 1.0 but must be 0.0; set "version: 0.0" (the only version CodeDeploy supports)',
    ));
  });

  test('stop a bash -e phase when the revision is broken', () => {
    const result = runCommands(revision('bad-version'), '.', 'bash', {}, ['echo "after the check"']);
    expect(result.stdout).toEqual([]);
  });

  test('work in POSIX sh, the default shell of CodeBuild', () => {
    expect(runCommands(revision('good'), '.', 'sh')).toEqual({ status: 0, stdout: [GOOD_SUMMARY], stderr: [] });
  });

  test('check the directory relative to CODEBUILD_SRC_DIR', () => {
    const source = fs.mkdtempSync(path.join(workDir, 'src-'));
    fs.renameSync(revision('good'), path.join(source, 'dist'));
    const result = runCommands(workDir, 'dist', 'bash', { CODEBUILD_SRC_DIR: source });
    expect(result.stdout).toEqual([GOOD_SUMMARY.replace('in .', 'in dist')]);
  });

  test('quote a directory name with spaces and quotes', () => {
    const source = fs.mkdtempSync(path.join(workDir, 'src-'));
    fs.renameSync(revision('good'), path.join(source, 'it\'s "out" $HOME'));
    const result = runCommands(source, 'it\'s "out" $HOME');
    expect(result.stdout).toEqual([GOOD_SUMMARY.replace('in .', 'in it\'s "out" $HOME')]);
  });

  test('leave the working directory of later commands unchanged', () => {
    const result = runCommands(workDir, '.', 'bash', { CODEBUILD_SRC_DIR: revision('good') }, ['pwd']);
    expect(result.stdout).toEqual([GOOD_SUMMARY, fs.realpathSync(workDir)]);
  });
});

describe('example server app', () => {
  const npmEnv = () => cleanEnv({ npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false' });
  let app: string;
  let build: Run;

  beforeAll(() => {
    // A copy, so that the build's dist/ never lands in the source tree.
    app = fs.mkdtempSync(path.join(workDir, 'example-'));
    fs.cpSync(EXAMPLE_APP, app, {
      recursive: true,
      filter: (source) => !['node_modules', 'dist'].includes(path.basename(source)),
    });
    build = run('npm', ['run', 'build', '--silent'], { cwd: app, env: npmEnv() });
  }, 60_000);

  test('builds the revision into dist/ with npm run build', () => {
    expect(build).toEqual({ status: 0, stdout: ['built CodeDeploy revision in dist'], stderr: [] });
  });

  test('puts exactly the server, its package files, appspec.yml and the hook scripts in dist/', () => {
    const files = fs.readdirSync(path.join(app, 'dist'), { recursive: true }).map(String).sort();
    expect(files).toEqual([
      'appspec.yml',
      'package-lock.json',
      'package.json',
      'scripts',
      path.join('scripts', 'after-install.sh'),
      path.join('scripts', 'application-start.sh'),
      path.join('scripts', 'application-stop.sh'),
      path.join('scripts', 'before-install.sh'),
      path.join('scripts', 'validate-service.sh'),
      'server.js',
    ]);
  });

  test('builds a revision that passes the check', () => {
    expect(check(app, 'dist')).toEqual({
      status: 0,
      stdout: ['appspec check: OK: appspec.yml in dist (os linux, 1 file mapping, 5 hook scripts in 5 lifecycle events)'],
      stderr: [],
    });
  });

  test('installs nothing during the build', () => {
    expect(fs.existsSync(path.join(app, 'node_modules'))).toBe(false);
  });

  test('passes its own tests', () => {
    const result = run('npm', ['test', '--silent'], { cwd: app, env: npmEnv() });
    expect(result.status).toBe(0);
  }, 60_000);

  test('has hook scripts that bash can parse', () => {
    const scripts = fs.readdirSync(path.join(app, 'scripts')).filter((name) => name.endsWith('.sh'));
    const failures = scripts
      .map((name) => ({ name, result: run('bash', ['-n', path.join(app, 'scripts', name)], {}) }))
      .filter(({ result }) => result.status !== 0);
    expect(scripts).toHaveLength(5);
    expect(failures).toEqual([]);
  });
});

describe('as Lambda compute runs the check: not as root, with a read-only revision and no home', () => {
  const lambdaDirs: string[] = [];
  afterAll(() => lambdaDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
  const lambdaDir = (label: string) => {
    const dir = lambdaComputeDir(label, true);
    lambdaDirs.push(dir);
    return dir;
  };

  test('the buildspec commands unpack the check into TMPDIR and accept a valid revision', () => {
    const build = lambdaDir('build');
    fs.cpSync(revision('good'), build, { recursive: true });
    makeReadOnly(build);
    const [command, ...args] = asLambdaCompute(revisionCheckCommands('.'));
    const result = run(command, args, { cwd: build, env: cleanEnv({ TMPDIR: lambdaDir('tmp'), HOME: NO_HOME }) });
    expect(result).toEqual({ status: 0, stdout: [GOOD_SUMMARY], stderr: [] });
  });
});
