/**
 * The pull-request preview commands run for real: the first step of each preview pipeline and the
 * preview Upload, Publish and Remove projects of the connection example's synthesized buildspecs,
 * next to its own production upload and go-live, run by the AWS CLI against moto_server's S3 and
 * CodePipeline with IAM enforced (each project signed as a user whose only policies are its role's
 * synthesized ones) and the KeyValueStore stand-in, as the release proof (10-release-on-s3.ts)
 * runs the release commands (verify/release-run/). Asserts on the bucket and the store: an execution started by hand is
 * skipped by the pipelines' own entry conditions; a preview is named by the first step, published and
 * replaced by a second push, survives a production go-live's pruning, and is removed under the name
 * the remove pipeline's first step gives it; the preview roles cannot write or delete a pipeline release.
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Proof, ProofResult } from '../proof';
import { hasRelease, Snapshot, tail } from '../release-run/bucket-snapshot';
import { examplePreviews, PreviewPipeline, ReleaseProject } from '../release-run/release-projects';
import { motoPolicies, ReleaseRun } from '../release-run/release-run';
import { filesOf, sampleSite } from '../release-run/site-builds';
import { CheckCase, resultOf } from '../template-checks/check-cases';
import { stageEntry } from '../template-checks/stage-conditions';

const NAME = 'Previews: the preview commands on moto S3 with IAM enforced';
/** The example stack with a connection source and previews (examples/static-site.ts ConnectionPreviewSiteStack). */
const PREVIEW_EXAMPLE_STACK = 'ConnectionPreviewSiteExample';
/** The pull request's source branch, and the preview name the first step makes of it (readable part, 8 hex of its SHA-256). */
const BRANCH = 'feature/New-Header';
const PREVIEW = `feature-new-header-${crypto.createHash('sha256').update(BRANCH).digest('hex').slice(0, 8)}`;
/** The branch a start by hand checks out: the site's. */
const SITE_BRANCH = 'main';
const FIRST_COMMIT = '1a2b3c4d5e6f'.repeat(3) + '7a8b';
const SECOND_COMMIT = '9f8e7d6c5b4a'.repeat(3) + '3c2d';
/** A release id of the pipeline's shape (`<time>-<commit>-<execution>`), which the preview roles must not touch. */
const PIPELINE_SHAPED = '20250101T000000Z-c0ffeec0ffee-deadbeef';


const proof: Proof = {
  async run(): Promise<ProofResult> {
    const { projects, previews, pipelines } = examplePreviews(PREVIEW_EXAMPLE_STACK);
    const [publishPipeline, removePipeline] = [/-Pipeline$/, /-RemovePipeline$/].map((name) => {
      const found = pipelines.find((p) => name.test(p.name));
      if (!found) throw new Error(`${PREVIEW_EXAMPLE_STACK} has no preview pipeline named like ${name}`);
      return found;
    });
    const conditioned: string[] = [];
    const bucketName = projects.upload.environment.SITE_BUCKET;
    const release = await ReleaseRun.start({
      upload: projects.upload,
      goLive: projects.goLive,
      roles: Object.fromEntries([
        ...[projects.upload, projects.goLive, previews.previewUpload, previews.previewPublish, previews.previewRemove]
          .map((project) => [project.roleLogicalId, motoPolicies(project, conditioned)]),
        ...[publishPipeline, removePipeline].map(({ firstStep }) => [firstStep.roleLogicalId, onAnyPipeline(motoPolicies(firstStep, conditioned))]),
      ]),
      workPrefix: 'verify-previews-',
    });
    const { servers, distribution, work, cases, details } = release;
    const check = release.check.bind(release);
    const run = release.run.bind(release);
    const deploy = release.deploy.bind(release);
    try {
      // 0. An execution of each preview pipeline, as CodePipeline records one started by hand (moto
      //    records every execution so; a pull request's is WebhookV2, which the tests run on the fake CLI).
      const executions = await servers.startPipelineExecutions([publishPipeline.name, removePipeline.name]);
      /** A pipeline's first step, signed as its role, for the execution of that pipeline, on `branch`: what it exported. */
      const firstStep = async (pipeline: PreviewPipeline, branch: string, label: string) => {
        const step = await run(pipeline.firstStep, work, {
          ...pipeline.firstStepVariables, EXECUTION_ID: executions[pipeline.name], PULL_REQUEST_BRANCH: branch,
        });
        check(`${label}: the first step of ${pipeline.name} reads the execution (GetPipelineExecution) and exports what started it and the preview's name`,
          step.status === 0 && !!step.exported.EXECUTION_TRIGGER && !!step.exported.PREVIEW_NAME, () => tail(step.output));
        return step.exported;
      };
      const entries = (pipeline: PreviewPipeline, exported: Record<string, string>) => pipeline.stages
        .map((stage) => `${stage.Name} ${stageEntry(stage, Object.fromEntries(Object.entries(exported).map(([k, v]) => [`#{PullRequest_Identify_NS.${k}}`, v])))}`);
      for (const pipeline of [publishPipeline, removePipeline]) {
        const byHand = await firstStep(pipeline, SITE_BRANCH, 'a start by hand');
        const expected = pipeline === publishPipeline ? ['Source enter', 'PullRequest enter', 'Build SKIP', 'Preview SKIP'] : ['Source enter', 'PullRequest enter', 'Preview SKIP'];
        check(`a start by hand: CodePipeline reports StartPipelineExecution, and ${pipeline.name}'s own entry conditions skip every stage after the first step`,
          byHand.EXECUTION_TRIGGER === 'StartPipelineExecution' && JSON.stringify(entries(pipeline, byHand)) === JSON.stringify(expected),
          () => `EXECUTION_TRIGGER ${byHand.EXECUTION_TRIGGER}; ${entries(pipeline, byHand).join(', ')}`);
        const asPullRequest = entries(pipeline, { ...byHand, EXECUTION_TRIGGER: 'WebhookV2' });
        check(`control: with WebhookV2 (a pull request's trigger) ${pipeline.name}'s entry conditions enter every stage`,
          asPullRequest.every((entry) => entry.endsWith(' enter')), () => asPullRequest.join(', '));
      }
      const [publishName, removeName] = [
        (await firstStep(publishPipeline, BRANCH, 'the pull request')).PREVIEW_NAME,
        (await firstStep(removePipeline, BRANCH, 'the pull request, closed')).PREVIEW_NAME,
      ];
      check(`the first steps of both preview pipelines name the pull request from ${BRANCH} ${PREVIEW}`,
        publishName === PREVIEW && removeName === PREVIEW, () => `publish pipeline: ${publishName}, remove pipeline: ${removeName}`);

      /** The preview pipeline's Preview stage: Upload, then Publish with the variables Upload and the first step exported, both in the build output. */
      const pushPreview = async (site: string, commit: string, label: string) => {
        const upload = await run(previews.previewUpload, site, { PREVIEW_NAME: publishName, COMMIT_ID: commit });
        const { RELEASE_ID: id = '' } = upload.exported;
        check(`${label}: the preview upload succeeds and exports RELEASE_ID (<time>-p<commit12>-<name8>)`,
          upload.status === 0 && new RegExp(`^\\d{8}T\\d{6}Z-p${commit.slice(0, 12)}-${PREVIEW.replace(/-/g, '').slice(0, 8)}$`).test(id),
          () => `exit ${upload.status}, RELEASE_ID ${id}: ${tail(upload.output)}`);
        const publish = await run(previews.previewPublish, site, { RELEASE_ID: id, PREVIEW_NAME: publishName });
        check(`${label}: publish succeeds`, publish.status === 0, () => tail(publish.output));
        return { id, link: publish.exported.PREVIEW_LINK ?? '', output: publish.output };
      };
      const nextSecond = () => new Promise((r) => setTimeout(r, 1100));
      const previewKeys = (keys: Record<string, string>) => Object.fromEntries(Object.entries(keys).filter(([k]) => /^(preview|token):/.test(k)));
      const tokensOf = (keys: Record<string, string>) => Object.keys(keys).filter((k) => k.startsWith('token:') && keys[k].split(' ')[1] === PREVIEW);

      // 1. A production release, with the stack's own upload and go-live.
      const production = sampleSite(path.join(work, 'production'));
      const live = await deploy(production, 'production release');
      let store = await servers.store();
      check('production release: the live key names it', store.keys.live === live && live !== '', () => `live is ${store.keys.live}, expected ${live}`);
      const liveFiles = filesOf(production);

      // 2. A pull request's first push: Upload, then Publish.
      await nextSecond();
      const firstBuild = sampleSite(path.join(work, 'pr-first'));
      const first = await pushPreview(firstBuild, FIRST_COMMIT, 'first push');
      let bucket = await servers.snapshot();
      store = await servers.store();
      cases.push(...filesCases('first push', bucket, first.id, filesOf(firstBuild)));
      check(`first push: the store names it preview:${PREVIEW}`, store.keys[`preview:${PREVIEW}`] === first.id,
        () => `preview:${PREVIEW} is ${store.keys[`preview:${PREVIEW}`]}, expected ${first.id}`);
      const tokens = tokensOf(store.keys);
      const token = tokens[0]?.slice('token:'.length) ?? '';
      check(`first push: one token:<32 hex> key names ${PREVIEW}, with an expiry about the link's lifetime ahead`,
        tokens.length === 1 && /^[0-9a-f]{32}$/.test(token)
          && Math.abs(Number(store.keys[tokens[0]].split(' ')[0]) - Date.now() / 1000 - Number(previews.previewPublish.environment.PREVIEW_LINK_SECONDS)) < 120,
        () => JSON.stringify(previewKeys(store.keys)));
      check('first push: the exported PREVIEW_LINK and the log carry ?preview-token=<that token>',
        token !== '' && first.link.endsWith(`?preview-token=${token}`) && first.output.includes(`Preview ${PREVIEW}: ${first.link}`),
        () => `link ${first.link}; ${tail(first.output)}`);
      check('first push: the live key is unchanged', store.keys.live === live, () => `live is ${store.keys.live}`);
      const served = await fetchThrough(distribution.origin, token);
      check('first push: the distribution stand-in serves the preview release to its token, the live one without',
        distribution.served.slice(-2).map((r) => r.release).join(' ') === `${first.id} ${live}` && served.every((status) => status === 200),
        () => `${served.join(' ')}: ${JSON.stringify(distribution.served.slice(-2))}`);

      // 3. A second push to the same pull request, with a changed page.
      await nextSecond();
      const secondBuild = sampleSite(path.join(work, 'pr-second'));
      fs.writeFileSync(path.join(secondBuild, 'index.html'), '<!doctype html><title>The new header</title><header>New header, second push</header>');
      const second = await pushPreview(secondBuild, SECOND_COMMIT, 'second push');
      bucket = await servers.snapshot();
      const afterSecond = await servers.store();
      cases.push(...filesCases('second push', bucket, second.id, filesOf(secondBuild)));
      check(`second push: preview:${PREVIEW} names the new release`, afterSecond.keys[`preview:${PREVIEW}`] === second.id && second.id !== first.id,
        () => `preview:${PREVIEW} is ${afterSecond.keys[`preview:${PREVIEW}`]}, new ${second.id}, first ${first.id}`);
      check('second push: the first preview release\'s files are deleted', !hasRelease(bucket, first.id),
        () => Object.keys(bucket).filter((k) => k.startsWith(`releases/${first.id}/`)).join(', '));
      check('second push: the token and the link are unchanged',
        JSON.stringify(tokensOf(afterSecond.keys)) === JSON.stringify(tokens) && second.link === first.link,
        () => `tokens ${tokensOf(afterSecond.keys).join(', ')}; link ${second.link}`);
      check('second push: the live key is unchanged', afterSecond.keys.live === live, () => `live is ${afterSecond.keys.live}`);

      // 4. Another production release: its go-live prunes, and must leave the preview alone.
      await nextSecond();
      const productionAgain = sampleSite(path.join(work, 'production-again'));
      fs.writeFileSync(path.join(productionAgain, 'index.html'), '<!doctype html><title>Production, again</title>');
      const liveAgain = await deploy(productionAgain, 'second production release');
      bucket = await servers.snapshot();
      store = await servers.store();
      check('second production release: the live key names it', store.keys.live === liveAgain && liveAgain !== live, () => `live is ${store.keys.live}`);
      cases.push(...filesCases('second production release, after its pruning', bucket, second.id, filesOf(secondBuild)));
      check('second production release: the preview and token keys survive the go-live (its check\'s own records are deleted)',
        JSON.stringify(previewKeys(store.keys)) === JSON.stringify(previewKeys(afterSecond.keys)),
        () => `before ${JSON.stringify(previewKeys(afterSecond.keys))}, after ${JSON.stringify(previewKeys(store.keys))}`);

      // 5. IAM enforced: the preview roles cannot touch a pipeline release.
      const scratch = path.join(work, 'x.html');
      fs.writeFileSync(scratch, '<!doctype html><title>x</title>');
      const cli = (project: ReleaseProject, args: string[]) => {
        const result = spawnSync('aws', args, { env: servers.environmentOf(project.roleLogicalId), encoding: 'utf8' });
        return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
      };
      const previewShaped = `${second.id.slice(0, 17)}p000000000000-control`;
      const allowed = cli(previews.previewUpload, ['s3', 'cp', scratch, `s3://${bucketName}/releases/${previewShaped}/x.html`]);
      check('control: the preview Upload role may write an object of a preview-shaped release', allowed.status === 0, () => tail(allowed.output));
      const cleaned = cli(previews.previewPublish, ['s3', 'rm', `s3://${bucketName}/releases/${previewShaped}/x.html`]);
      check('control: the preview Publish role may delete an object of a preview-shaped release', cleaned.status === 0, () => tail(cleaned.output));
      const written = cli(previews.previewUpload, ['s3', 'cp', scratch, `s3://${bucketName}/releases/${PIPELINE_SHAPED}/x.html`]);
      check(`negative control: the preview Upload role writing releases/${PIPELINE_SHAPED}/x.html is AccessDenied`,
        written.status !== 0 && /AccessDenied/.test(written.output), () => `exit ${written.status}: ${tail(written.output)}`);
      const deleted = cli(previews.previewPublish, ['s3', 'rm', `s3://${bucketName}/releases/${liveAgain}/index.html`]);
      bucket = await servers.snapshot();
      check('negative control: the preview Publish role deleting the live release\'s index.html is AccessDenied, and it is still there',
        deleted.status !== 0 && /AccessDenied/.test(deleted.output) && !!bucket[`releases/${liveAgain}/index.html`],
        () => `exit ${deleted.status}: ${tail(deleted.output)}`);
      check('negative controls: nothing was written under the pipeline-shaped release', !hasRelease(bucket, PIPELINE_SHAPED),
        () => Object.keys(bucket).filter((k) => k.includes(PIPELINE_SHAPED)).join(', '));

      // 6. The pull request closes: Remove.
      const liveBefore = Object.fromEntries(Object.entries(bucket).filter(([k]) => k.startsWith(`releases/${liveAgain}`)));
      const removed = await run(previews.previewRemove, work, { PREVIEW_NAME: removeName });
      bucket = await servers.snapshot();
      store = await servers.store();
      check('remove: succeeds', removed.status === 0, () => tail(removed.output));
      check('remove: the preview and token keys are gone', Object.keys(previewKeys(store.keys)).length === 0,
        () => JSON.stringify(previewKeys(store.keys)));
      check('remove: the preview release\'s files are gone', !hasRelease(bucket, second.id),
        () => Object.keys(bucket).filter((k) => k.startsWith(`releases/${second.id}/`)).join(', '));
      const liveAfter = Object.fromEntries(Object.entries(bucket).filter(([k]) => k.startsWith(`releases/${liveAgain}`)));
      check('remove: the live key and the live release (its files and marker) are untouched',
        store.keys.live === liveAgain && JSON.stringify(liveAfter) === JSON.stringify(liveBefore)
          && Object.keys(liveAfter).length >= liveFiles.size + 1,
        () => `live ${store.keys.live}; ${Object.keys(liveBefore).length} objects before, ${Object.keys(liveAfter).length} after`);
      const again = await run(previews.previewRemove, work, { PREVIEW_NAME: removeName });
      check('remove: removing it again succeeds and changes nothing', again.status === 0 && again.output.includes(`There is no preview ${PREVIEW}`),
        () => tail(again.output));

      details.push('IAM\'s ? wildcard of the preview grants given to moto as a regular expression\'s . (withMotoWildcards)');
      details.push('the first steps\' codepipeline:GetPipelineExecution given to moto on any pipeline: moto authorizes CodePipeline calls on * only (the IAM proof checks the grant names the step\'s own pipeline and no other)');
      details.push(`conditions moto cannot evaluate, removed (proven by the IAM proof with iam-simulate): ${[...new Set(conditioned)].join('; ') || 'none'}`);
    } finally {
      release.stop();
    }
    return resultOf(NAME, cases, details);
  },
};
export default proof;

/**
 * A role's policies with its CodePipeline statements on any resource: moto authorizes CodePipeline
 * calls against `*`, which a statement naming one pipeline never matches.
 */
function onAnyPipeline(policies: Array<{ Statement: Array<Record<string, unknown>> }>): Array<{ Statement: Array<Record<string, unknown>> }> {
  return policies.map((policy) => ({
    ...policy,
    Statement: policy.Statement.map((statement) => ([statement.Action].flat().every((a) => String(a).startsWith('codepipeline:'))
      ? { ...statement, Resource: '*' } : statement)),
  }));
}

/** Every file of the build is in the release with its size. */
function filesCases(label: string, bucket: Snapshot, id: string, files: Map<string, number>): CheckCase[] {
  const prefix = `releases/${id}/`;
  const wrong = [...files].filter(([file, size]) => bucket[prefix + file]?.size !== size).map(([file]) => `${file}: ${bucket[prefix + file]?.size}`);
  return [{
    name: `${label}: every file of the preview build is in releases/<preview id>/ with its size (${files.size} files)`,
    problem: id === '' ? 'no release id' : wrong.length ? wrong.slice(0, 5).join('; ') : undefined,
  }];
}

/** Fetches the root page through the stand-in distribution with the token, then as a visitor; the statuses. */
async function fetchThrough(origin: string, token: string): Promise<number[]> {
  const withToken = await fetch(`${origin}/`, { headers: { 'x-preview-token': token } });
  const visitor = await fetch(`${origin}/`);
  return [withToken.status, visitor.status];
}
