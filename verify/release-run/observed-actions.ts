/**
 * The IAM actions the release runs made, read from what the servers received: moto's recording of
 * S3 requests, and the KeyValueStore stand-in's log of calls, each attributed to a role by the access
 * key that signed it.
 */
import { ReleaseProject, ReleaseStep } from './release-projects';
import { RecordedRequest, StoreState } from './release-servers';
import { classifyRoles } from '../iam/classify-roles';
import { neededActions, NOT_MADE_BY_RELEASE_RUNS } from '../iam/needed-actions';
import { KIND_LABELS } from '../iam/role-jobs';
import { simulate } from '../iam/simulate';
import { StackModel } from '../iam/stack-model';
import { CheckCase } from '../template-checks/check-cases';

/** An IAM action a request needed, on the resource it named. */
export interface ObservedCall {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string>;
  /** The API operation, e.g. `UploadPartCopy`. */
  readonly operation: string;
}

/** How one S3 request is told from the others, and what it needs. */
interface S3Operation {
  readonly operation: string;
  readonly method: string;
  /** Whether the URL names an object (bucket and key) rather than the bucket. */
  readonly onObject: boolean;
  /** A query parameter the request has. */
  readonly query?: string;
  /** Whether the request copies (has `x-amz-copy-source`). */
  readonly copies?: boolean;
  /** Actions on the URL's resource; a copy needs s3:GetObject on its source as well. */
  readonly actions: string[];
}

/**
 * The S3 operations the AWS CLI's `s3` and `s3api` commands send, most specific first, with the
 * actions AWS documents for each.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html (s3:GetObject on the source, s3:PutObject on the destination)
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html (the same)
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html (s3:GetObject)
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html (s3:ListBucket)
 */
const S3_OPERATIONS: S3Operation[] = [
  { operation: 'ListObjectsV2', method: 'GET', onObject: false, query: 'list-type', actions: ['s3:ListBucket'] },
  { operation: 'ListMultipartUploads', method: 'GET', onObject: false, query: 'uploads', actions: ['s3:ListBucketMultipartUploads'] },
  { operation: 'GetBucketLocation', method: 'GET', onObject: false, query: 'location', actions: ['s3:GetBucketLocation'] },
  { operation: 'ListObjects', method: 'GET', onObject: false, actions: ['s3:ListBucket'] },
  { operation: 'HeadBucket', method: 'HEAD', onObject: false, actions: ['s3:ListBucket'] },
  { operation: 'DeleteObjects', method: 'POST', onObject: false, query: 'delete', actions: ['s3:DeleteObject'] },
  { operation: 'CreateMultipartUpload', method: 'POST', onObject: true, query: 'uploads', actions: ['s3:PutObject'] },
  { operation: 'CompleteMultipartUpload', method: 'POST', onObject: true, query: 'uploadId', actions: ['s3:PutObject'] },
  { operation: 'UploadPartCopy', method: 'PUT', onObject: true, query: 'partNumber', copies: true, actions: ['s3:PutObject'] },
  { operation: 'UploadPart', method: 'PUT', onObject: true, query: 'partNumber', actions: ['s3:PutObject'] },
  { operation: 'PutObjectTagging', method: 'PUT', onObject: true, query: 'tagging', actions: ['s3:PutObjectTagging'] },
  { operation: 'CopyObject', method: 'PUT', onObject: true, copies: true, actions: ['s3:PutObject'] },
  { operation: 'PutObject', method: 'PUT', onObject: true, actions: ['s3:PutObject'] },
  { operation: 'GetObjectTagging', method: 'GET', onObject: true, query: 'tagging', actions: ['s3:GetObjectTagging'] },
  { operation: 'ListParts', method: 'GET', onObject: true, query: 'uploadId', actions: ['s3:ListMultipartUploadParts'] },
  { operation: 'GetObject', method: 'GET', onObject: true, actions: ['s3:GetObject'] },
  { operation: 'HeadObject', method: 'HEAD', onObject: true, actions: ['s3:GetObject'] },
  { operation: 'AbortMultipartUpload', method: 'DELETE', onObject: true, query: 'uploadId', actions: ['s3:AbortMultipartUpload'] },
  { operation: 'DeleteObject', method: 'DELETE', onObject: true, actions: ['s3:DeleteObject'] },
];

/** The calls of one S3 request (path-style, as the CLI sends to an IP endpoint); throws for a request it does not know. */
export function s3Calls(request: RecordedRequest): ObservedCall[] {
  const url = new URL(request.url);
  const [bucket, ...key] = url.pathname.slice(1).split('/');
  const onObject = key.length > 0 && key.join('/') !== '';
  const header = (name: string) => Object.entries(request.headers).find(([k]) => k.toLowerCase() === name)?.[1];
  const copySource = header('x-amz-copy-source');
  const found = S3_OPERATIONS.find((op) => op.method === request.method && op.onObject === onObject
    && (op.query === undefined || url.searchParams.has(op.query)) && (op.copies === undefined || op.copies === (copySource !== undefined)));
  if (!found) throw new Error(`no IAM action is known for the S3 request ${request.method} ${url.pathname}${url.search}`);
  const resource = `arn:aws:s3:::${bucket}${onObject ? `/${decodeURIComponent(key.join('/'))}` : ''}`;
  const prefix = url.searchParams.get('prefix');
  const context = found.actions.includes('s3:ListBucket') && prefix !== null ? { 's3:prefix': prefix } : undefined;
  const calls: ObservedCall[] = found.actions.map((action) => ({ action, resource, context, operation: found.operation }));
  if (copySource) {
    const source = decodeURIComponent(copySource.replace(/^\//, '').split('?')[0]);
    calls.push({ action: 's3:GetObject', resource: `arn:aws:s3:::${source}`, operation: `${found.operation} (source)` });
  }
  return calls;
}

/** The service a request was signed for (SigV4 credential scope `<key>/<date>/<region>/<service>/aws4_request`). */
function serviceOf(request: RecordedRequest): string | undefined {
  const auth = Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1] ?? '';
  return /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth)?.[1];
}

/**
 * The calls of a CloudWatch request moto received: the go-live step reads CloudFront's metrics with
 * GetMetricData alone (its body, which names the operation, is not recorded), which takes no resource.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 */
function cloudWatchCalls(request: RecordedRequest): ObservedCall[] {
  if (request.method !== 'POST') throw new Error(`no IAM action is known for the CloudWatch request ${request.method} ${request.url}`);
  return [{ action: 'cloudwatch:GetMetricData', resource: '*', operation: 'GetMetricData' }];
}

/** The access key that signed a request (SigV4 `Authorization: ... Credential=<key>/...`). */
export function accessKeyOf(request: RecordedRequest): string | undefined {
  const auth = Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1] ?? '';
  return /Credential=([^/]+)\//.exec(auth)?.[1];
}

/** The calls the stand-in answered, as KeyValueStore actions on the store. */
export function keyValueStoreCalls(state: StoreState, kvsArn: string): Array<ObservedCall & { accessKey?: string }> {
  return state.calls.filter((c) => c.operation !== '?')
    .map((c) => ({ action: `cloudfront-keyvaluestore:${c.operation}`, resource: kvsArn, operation: c.operation, accessKey: c.accessKey }));
}

/** What the runs of each release project made, checked against the IAM proof's expectations of its role's kind. */
export async function observedActionCases(
  model: StackModel,
  projects: Record<ReleaseStep, ReleaseProject>,
  s3Requests: RecordedRequest[],
  store: StoreState,
  roleOfAccessKey: (accessKey: string) => string | undefined,
): Promise<{ cases: CheckCase[]; details: string[] }> {
  const { jobs } = classifyRoles(model);
  const byRole = new Map<string, ObservedCall[]>();
  // Only the projects' users: the administrator's and moto's own API requests are not the runs'.
  const record = (accessKey: string | undefined, calls: () => ObservedCall[]) => {
    const role = accessKey && roleOfAccessKey(accessKey);
    if (role) byRole.set(role, [...(byRole.get(role) ?? []), ...calls()]);
  };
  for (const request of s3Requests) record(accessKeyOf(request), () => (serviceOf(request) === 'monitoring' ? cloudWatchCalls(request) : s3Calls(request)));
  for (const call of keyValueStoreCalls(store, projects.goLive.environment.KVS_ARN)) record(call.accessKey, () => [call]);

  const cases: CheckCase[] = [];
  const details: string[] = [];
  for (const project of Object.values(projects)) {
    const job = jobs.find((j) => j.role.logicalId === project.roleLogicalId);
    const calls = byRole.get(project.roleLogicalId) ?? [];
    if (!job) {
      cases.push({ name: `${project.step}: its role is classified by the IAM proof`, problem: `classifyRoles has no job for ${project.roleLogicalId}` });
      continue;
    }
    const label = `${project.step} (${KIND_LABELS[job.kind]})`;
    const needed = new Set(neededActions(job.kind));
    const made = new Set(calls.map((c) => c.action));
    const unneeded = [...made].filter((action) => !needed.has(action));
    cases.push({
      name: `${label}: every action its runs made is one the IAM proof says its kind needs`,
      problem: unneeded.length ? unneeded.map((a) => `${a} (${operationsOf(calls, a)})`).join('; ') : undefined,
    });
    const denied: string[] = [];
    const caller = { principal: job.role.arn, identityPolicies: job.role.policies };
    for (const call of distinct(calls)) {
      const outcome = await simulate(model, caller, { action: call.action, resource: call.resource, expect: 'allowed', context: call.context });
      if (outcome.result !== 'Allowed') denied.push(`${call.operation}: ${call.action} on ${call.resource}${call.context ? ` with ${JSON.stringify(call.context)}` : ''}: ${outcome.result} (${outcome.why})`);
    }
    cases.push({ name: `${label}: its policies grant every call its runs made (iam-simulate, conditions included)`, problem: denied.length ? denied.slice(0, 5).join('; ') : undefined });
    const reasons = NOT_MADE_BY_RELEASE_RUNS[job.kind] ?? {};
    const unmade = [...needed].filter((a) => /^(s3|cloudfront-keyvaluestore|cloudwatch):/.test(a) && !made.has(a) && !reasons[a]);
    const stale = Object.keys(reasons).filter((a) => made.has(a));
    cases.push({
      name: `${label}: every S3, KeyValueStore and CloudWatch action its kind needs is made by a run, or listed with the reason it is not`,
      problem: unmade.length || stale.length
        ? [unmade.length ? `needed, never made, no reason: ${unmade.join(', ')}` : '', stale.length ? `listed as not made but made: ${stale.join(', ')}` : ''].filter(Boolean).join('; ')
        : undefined,
    });
    details.push(`${label} made: ${[...made].sort().map((a) => `${a} (${operationsOf(calls, a)})`).join(', ')}`);
    if (Object.keys(reasons).length) details.push(`${label} needs but the runs do not make: ${Object.entries(reasons).map(([a, why]) => `${a}: ${why}`).join('; ')}`);
  }
  return { cases, details };
}

/** The operations (with counts) that needed `action`. */
function operationsOf(calls: ObservedCall[], action: string): string {
  const counts = new Map<string, number>();
  for (const call of calls.filter((c) => c.action === action)) counts.set(call.operation, (counts.get(call.operation) ?? 0) + 1);
  return [...counts].map(([operation, n]) => `${operation} x${n}`).join(', ');
}

/** Calls with the same action, resource and context once. */
function distinct(calls: ObservedCall[]): ObservedCall[] {
  return [...new Map(calls.map((c) => [JSON.stringify([c.action, c.resource, c.context]), c])).values()];
}
