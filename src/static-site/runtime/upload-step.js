// @ts-check
'use strict';
// What the upload steps of StaticSitePipeline ask of Node.js rather than of the image's tools. On
// Lambda compute the deploy steps run Node.js, the AWS CLI and shell builtins only: AWS lists the
// packages of its Lambda images, not the commands their base image happens to ship (`find`, `date`,
// `tr`, `cut`), and promises nothing about those.
//
// - `has-files <dir>`: succeeds when <dir> holds a file at any depth (links followed, as the CLI's
//   uploads follow them; a broken link is no file), fails with exit 1 when it holds none.
// - `release-id <commit> <execution id>`: prints a new release's id, `<UTC time>-<12 letters and
//   digits of the commit>-<8 of the execution id>`: sortable by time, traceable to both.
// - `preview-release-id <commit> <preview name>`: prints a preview release's id,
//   `<UTC time>-p<12 of the commit>-<8 of the name>`; the `p` where a pipeline release has a hex
//   commit is what the preview roles' IAM grant matches.
//
// @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html

const fs = require('fs');
const path = require('path');

const [command, ...args] = process.argv.slice(2);

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error('Upload failed: ' + message);
  process.exit(1);
}

/**
 * Whether dir holds a file at any depth. `seen` holds the directories entered (by real path), so a
 * link to a parent ends the walk instead of looping.
 *
 * @param {string} dir
 * @param {Set<string>} [seen]
 * @returns {boolean}
 */
function hasFiles(dir, seen) {
  seen = seen || new Set();
  const real = fs.realpathSync(dir);
  if (seen.has(real)) {
    return false;
  }
  seen.add(real);
  return fs.readdirSync(dir).some((name) => {
    const file = path.join(dir, name);
    let stat;
    try {
      stat = fs.statSync(file);
    } catch {
      return false;
    }
    return stat.isDirectory() ? hasFiles(file, seen) : true;
  });
}

/**
 * The current UTC time as a release id starts: `YYYYMMDDTHHMMSSZ`.
 *
 * @param {Date} now
 * @returns {string}
 */
function timestamp(now) {
  return now.toISOString().slice(0, 19).replace(/[-:]/g, '') + 'Z';
}

/**
 * The first `length` letters and digits of a value.
 *
 * @param {string} value
 * @param {number} length
 * @returns {string}
 */
function shortId(value, length) {
  return value.replace(/[^0-9A-Za-z]/g, '').slice(0, length);
}

/**
 * A release id: `<time>-<12 of the commit>-<8 of the suffix>`, with `p` before the commit for a preview.
 *
 * @param {Date} now
 * @param {string} commit
 * @param {string} suffix
 * @param {boolean} preview
 * @returns {string}
 */
function releaseId(now, commit, suffix, preview) {
  return timestamp(now) + '-' + (preview ? 'p' : '') + shortId(commit, 12) + '-' + shortId(suffix, 8);
}

/**
 * The arguments of a command, failing unless each is given and not empty.
 *
 * @param {string[]} names
 * @returns {string[]}
 */
function required(names) {
  names.forEach((name, i) => {
    if (!args[i]) {
      fail(command + ' needs ' + names.join(' and ') + ', got no ' + name + '.');
    }
  });
  return args;
}

if (require.main === module) {
  switch (command) {
    case 'has-files':
      process.exit(hasFiles(required(['a directory'])[0]) ? 0 : 1);
      break;
    case 'release-id':
    case 'preview-release-id': {
      const [commit, suffix] = required(['a commit', command === 'release-id' ? 'an execution id' : 'a preview name']);
      process.stdout.write(releaseId(new Date(), commit, suffix, command === 'preview-release-id') + '\n');
      break;
    }
    default:
      fail('unknown command ' + command + '; use has-files, release-id or preview-release-id.');
  }
}

module.exports = { hasFiles, releaseId };
