// @ts-check
'use strict';
// What each fleet holds, by CodeDeploy's record, and how the fleet release program (fleet-release.js)
// deploys the build to the idle fleet: which revision came first decides where a rollback goes.

const { run, json, waitFor, fail } = require('./fleet-cli.js');
const CONTRACT = require('./fleet-release-contract.json');
const { FLEETS, other } = require('./fleet-settings.js');

const ENV = CONTRACT.environment;

/** @typedef {import('./fleet-settings.js').Fleet} Fleet */
/** @typedef {import('./fleet-settings.js').ReleaseSettings} ReleaseSettings */

/**
 * @typedef {object} Revision what a fleet holds, by CodeDeploy's record
 * @property {string} deployment the last deployment attempted on the fleet
 * @property {boolean} succeeded whether it succeeded
 * @property {number} firstUsed when its revision was first deployed (ms since the epoch), which orders releases
 * @property {string} description where the revision is
 */

/** @param {ReleaseSettings} settings */
function readRevisions(settings) {
  return /** @type {Record<Fleet, Revision | undefined>} */ (Object.fromEntries(FLEETS.map((f) => [f, fleetRevision(settings, f)])));
}

/**
 * What the fleet holds by CodeDeploy's record: its last attempted deployment, whether it
 * succeeded, and when its revision was first deployed. Deployments CodeDeploy makes by itself
 * (instances Auto Scaling launched) keep the revision, so they do not change the order.
 *
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 * @returns {Revision | undefined}
 */
function fleetRevision(settings, fleet) {
  const group = json(['deploy', 'get-deployment-group', '--application-name', settings.application,
    '--deployment-group-name', settings.fleets[fleet].deploymentGroup]).deploymentGroupInfo || {};
  const last = group.lastAttemptedDeployment;
  if (!last || !last.deploymentId) {
    return undefined;
  }
  const deployment = json(['deploy', 'get-deployment', '--deployment-id', last.deploymentId]).deploymentInfo;
  const revision = json(['deploy', 'get-application-revision', '--application-name', settings.application,
    '--revision', JSON.stringify(deployment.revision)]).revisionInfo || {};
  const location = deployment.revision && deployment.revision.s3Location;
  return {
    deployment: last.deploymentId,
    succeeded: deployment.status === 'Succeeded',
    firstUsed: timeOf(revision.firstUsedTime),
    description: location ? 's3://' + location.bucket + '/' + location.key : last.deploymentId,
  };
}

/** @param {string | number | undefined} value a time as the CLI prints it (ISO 8601, or seconds) */
function timeOf(value) {
  return typeof value === 'number' ? value * 1000 : Date.parse(String(value));
}

/**
 * Which fleet a rollback goes to: `wanted` when given, else the fleet that is not live when it holds
 * a revision first deployed before the live fleet's (the release before), else none. With traffic
 * split, the fleet of the older revision (where the interrupted release started).
 *
 * @param {Fleet | '' | 'split'} live
 * @param {Record<Fleet, Revision | undefined>} revisions
 * @param {string} wanted
 * @returns {{ target: Fleet | undefined, why: string }}
 */
function rollbackTargetOf(live, revisions, wanted) {
  if (wanted) {
    if (!FLEETS.includes(/** @type {Fleet} */ (wanted))) {
      return { target: undefined, why: ENV.rollbackTarget + ' must be ' + FLEETS.join(' or ') + ', got \'' + wanted + '\'' };
    }
    return { target: /** @type {Fleet} */ (wanted), why: 'asked for with ' + ENV.rollbackTarget + '=' + wanted };
  }
  if (live === 'split') {
    const installed = FLEETS.map((f) => ({ fleet: f, revision: revisions[f] })).filter((r) => r.revision && r.revision.succeeded);
    const [older] = installed.sort((a, b) => /** @type {Revision} */ (a.revision).firstUsed - /** @type {Revision} */ (b.revision).firstUsed);
    return older
      ? { target: older.fleet, why: 'traffic was split; fleet ' + older.fleet + ' holds the older revision' }
      : { target: undefined, why: 'traffic is split and no fleet holds a revision CodeDeploy installed' };
  }
  if (!live) {
    return { target: undefined, why: 'no fleet is live yet' };
  }
  const previous = other(live);
  const theirs = revisions[previous];
  const ours = revisions[live];
  if (!theirs) {
    return { target: undefined, why: 'fleet ' + previous + ' never had a revision deployed' };
  }
  if (!theirs.succeeded) {
    return { target: undefined, why: 'the last deployment to fleet ' + previous + ' (' + theirs.deployment + ') did not succeed' };
  }
  if (ours && theirs.firstUsed >= ours.firstUsed) {
    return { target: undefined, why: 'fleet ' + previous + ' holds a revision deployed after the live one (a release that did not go live, or one rolled back)' };
  }
  return { target: previous, why: 'fleet ' + previous + ' holds the release before the live one' };
}

/**
 * Deploys the build to the fleet and waits for CodeDeploy to finish; stops the deployment when
 * `until` comes first.
 *
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 * @param {number} until
 */
async function deployRevision(settings, fleet, until) {
  const revision = revisionOfBuild(process.env.CODEBUILD_SOURCE_VERSION);
  const description = CONTRACT.deploymentDescriptionPrefix + ' ' + (process.env[ENV.executionId] || 'started by hand');
  const id = json(['deploy', 'create-deployment', '--application-name', settings.application, '--deployment-group-name',
    settings.fleets[fleet].deploymentGroup, '--revision', JSON.stringify(revision), '--description', description]).deploymentId;
  console.log('CodeDeploy deployment ' + id + ' installs s3://' + revision.s3Location.bucket + '/' + revision.s3Location.key + ' on fleet ' + fleet + '.');
  /** @type {any} */
  let info = {};
  const done = await waitFor(() => {
    info = json(['deploy', 'get-deployment', '--deployment-id', id]).deploymentInfo || {};
    return ['Succeeded', 'Failed', 'Stopped'].includes(info.status) ? info.status : undefined;
  }, settings.pollSeconds * 1000, until);
  if (!done) {
    run(['deploy', 'stop-deployment', '--deployment-id', id]);
    fail('CodeDeploy deployment ' + id + ' was still ' + info.status + ' at the step\'s deadline, so it was stopped.');
  }
  if (done !== 'Succeeded') {
    const error = info.errorInformation ? ': ' + info.errorInformation.code + ' ' + info.errorInformation.message : '';
    fail('CodeDeploy deployment ' + id + ' ' + done.toLowerCase() + error + '.');
  }
}

/**
 * The S3 location of the build this step was given: CodePipeline passes its input artifact, whose
 * object ARN CodeBuild puts in CODEBUILD_SOURCE_VERSION (`arn:aws:s3:::<bucket>/<key>`); a CodeDeploy
 * bundle like the one CodePipeline's CodeDeploy action deploys.
 *
 * @param {string | undefined} sourceVersion
 */
function revisionOfBuild(sourceVersion) {
  const match = /^arn:[\w-]+:s3:::([^/]+)\/(.+)$/.exec(sourceVersion || '');
  if (!match) {
    return fail('CODEBUILD_SOURCE_VERSION must name the build artifact (arn:aws:s3:::<bucket>/<key>), got \'' + (sourceVersion || '') +
      '\'; the deploy step runs in the pipeline, with the build as its input.');
  }
  return { revisionType: 'S3', s3Location: { bucket: match[1], key: match[2], bundleType: 'zip' } };
}

module.exports = { readRevisions, rollbackTargetOf, deployRevision, revisionOfBuild };
