// @ts-check
'use strict';
// Which pull request a preview step works for. The preview projects of StaticSitePipeline run it in
// CodeBuild (`node pull-request.js <command> ...`); it needs the AWS CLI and Node.js only.
//
// - `trigger <pipeline> <execution id>`: prints what started the pipeline execution, its trigger
//   type as CodePipeline's GetPipelineExecution reports it (`WebhookV2` for the pull-request trigger
//   of a V2 pipeline, `CreatePipeline` for the run at creation, `StartPipelineExecution` for a start
//   by hand). It prints a fact; the pipeline's stage conditions decide what runs.
// - `name-of-branch <branch>`: prints the name of the preview of a pull request from <branch>: its
//   readable part (lower case, every run of other characters than letters and digits one `-`, at
//   most 31 characters), then `-` and 8 hex characters of the SHA-256 of the branch's exact name.
//   Branches that differ anywhere, in case or punctuation alone, or after the 31st character, get
//   different names. CodePipeline tells a pull request's execution nothing but its source branch
//   (no number, no source repository): branches of the same name in two forks share a preview.
//
// Every name matches the contract's preview name pattern (`^[a-z0-9][a-z0-9-]{0,39}$`), which the
// KeyValueStore keys and the preview host names take.
//
// @see https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ExecutionTrigger.html

const crypto = require('crypto');

const { siteCli } = require('./site-cli.js');

/** The longest preview name the contract's pattern takes. */
const NAME_LENGTH = 40;
/** Hex characters of the branch's hash in its preview's name. */
const HASH_LENGTH = 8;

const [command, ...args] = process.argv.slice(2);

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error('Preview failed: ' + message);
  process.exit(1);
}

/**
 * The name of the preview of a pull request from `branch`.
 *
 * @param {string} branch
 * @returns {string}
 */
function nameOfBranch(branch) {
  const hash = crypto.createHash('sha256').update(branch, 'utf8').digest('hex').slice(0, HASH_LENGTH);
  const readable = branch.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '')
    .slice(0, NAME_LENGTH - HASH_LENGTH - 1).replace(/-+$/, '');
  return readable ? readable + '-' + hash : hash;
}

/**
 * What started the execution: its trigger type.
 *
 * @param {string} pipeline
 * @param {string} executionId
 * @returns {string}
 */
function triggerOf(pipeline, executionId) {
  const execution = siteCli(fail).json(['codepipeline', 'get-pipeline-execution',
    '--pipeline-name', pipeline, '--pipeline-execution-id', executionId]).pipelineExecution;
  const type = execution && execution.trigger && execution.trigger.triggerType;
  if (!type) {
    throw new Error('CodePipeline names no trigger of execution ' + executionId + ' of ' + pipeline + '.');
  }
  return type;
}

if (require.main === module) {
  try {
    switch (command) {
      case 'trigger': {
        const [pipeline, executionId] = args;
        if (!pipeline || !executionId) {
          fail('trigger needs a pipeline name and an execution id.');
        }
        process.stdout.write(triggerOf(pipeline, executionId) + '\n');
        break;
      }
      case 'name-of-branch':
        if (!args[0]) {
          fail('name-of-branch needs a branch.');
        }
        process.stdout.write(nameOfBranch(args[0]) + '\n');
        break;
      default:
        fail('unknown command ' + command + '; use trigger or name-of-branch.');
    }
  } catch (e) {
    fail(/** @type {Error} */ (e).message);
  }
}

module.exports = { nameOfBranch };
