import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

// The release machinery cannot run here (no GitHub, no registry credentials), so these tests read what
// projen generated from .projenrc.ts: the workflows and the tasks they run.
const ROOT = path.resolve(__dirname, '..');
const workflow = (name: string): any => parse(fs.readFileSync(path.join(ROOT, '.github', 'workflows', name), 'utf8'));
const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
const release = workflow('release.yml');

/** Every `run:` command of a job, in order. */
const runs = (job: string): string[] => release.jobs[job].steps.map((s: any) => s.run).filter(Boolean);
/** The environment of the step that runs `command`. */
const envOf = (job: string, command: string): Record<string, string> =>
  release.jobs[job].steps.find((s: any) => s.run?.includes(command))?.env ?? {};

describe('release workflow', () => {
  test('every job of the build and release workflows sets up Node.js 22, not 20 (past its end of life)', () => {
    const versions = ['build.yml', 'release.yml'].flatMap((name) => Object.values<any>(workflow(name).jobs)
      .flatMap((job) => job.steps ?? [])
      .filter((step: any) => String(step.uses).startsWith('actions/setup-node'))
      .map((step: any) => `${name}: ${step.with['node-version']}`));
    expect(versions.length).toBeGreaterThan(5);
    expect(versions.filter((v) => !v.endsWith(': 22.x'))).toEqual([]);
  });

  test('releases every push to main', () => {
    expect(release.on.push.branches).toEqual(['main']);
    expect(runs('release')).toContain('npx projen release');
  });

  test('the version and the changelog come from the conventional commits since the last tag', () => {
    expect(tasks.release.steps.map((s: any) => s.spawn ?? s.exec)).toEqual(expect.arrayContaining(['bump', 'build', 'unbump']));
    expect(tasks.bump.env).toMatchObject({ CHANGELOG: 'dist/changelog.md', BUMP_PACKAGE: expect.stringMatching(/^commit-and-tag-version@/) });
    expect(tasks.bump.steps.map((s: any) => s.builtin).filter(Boolean)).toEqual(expect.arrayContaining(['release/suggest-version-bump', 'release/apply-version-bump']));
    expect(tasks.release.env.MAJOR).toBe('0');
  });

  test.each([
    ['release_npm', 'js', 'publib-npm'],
    ['release_pypi', 'python', 'publib-pypi'],
    ['release_maven', 'java', 'publib-maven'],
    ['release_nuget', 'dotnet', 'publib-nuget'],
    ['release_golang', 'go', 'publib-golang'],
  ])('%s packages with package:%s and publishes with %s after the release job', (job, language, publisher) => {
    expect(release.jobs[job].needs).toBe('release');
    const commands = runs(job);
    const packaged = commands.indexOf(`cd .repo && npx projen package:${language}`);
    const published = commands.findIndex((c) => c.includes(publisher));
    expect(packaged).toBeGreaterThanOrEqual(0);
    expect(published).toBeGreaterThan(packaged);
  });

  test('Maven publishes to the Central Portal, not the retired OSSRH at oss.sonatype.org', () => {
    const env = envOf('release_maven', 'publib-maven');
    expect(env.MAVEN_SERVER_ID).toBe('central-ossrh');
    expect(env.MAVEN_ENDPOINT).toBeUndefined();
    expect(fs.readFileSync(path.join(ROOT, '.github', 'workflows', 'release.yml'), 'utf8')).not.toContain('oss.sonatype.org');
  });

  test('the Go module is generated against the peer dependency floor (tools/package-go.sh)', () => {
    expect(tasks['package:go'].steps).toEqual([{ exec: 'bash tools/package-go.sh' }]);
  });

  test('pull requests are built with the whole test suite', () => {
    const build = workflow('build.yml');
    expect(build.on).toHaveProperty('pull_request');
    expect(build.jobs.build.steps.map((s: any) => s.run)).toContain('npx projen build');
    expect(tasks.build.steps.map((s: any) => s.spawn)).toContain('test');
  });
});
