/**
 * `StaticSitePipeline` as a fuzz target: its props (the shared pipeline props plus domain, routing,
 * caching and headers), their valid and hostile values, and how a case builds them in its stack.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as fc from 'fast-check';
import {
  ACCOUNT, cacheControlValues, contentSecurityPolicies, domainNames, globLists, hostile, HostileCase,
  hostileOrRandom, listOf, Num, random, anyString, Sample, sitePages, Text, textToken, TokenSpec, valid, validText, ValueArbitraries,
} from './arbitraries';
import { FuzzCase, hasGroup, PropGroup, PropsShape, propReader, StackSpec } from './case';
import { FuzzTarget } from './check-case';
import { optional, pipelineGroups, pipelineProps, sourceAlternatives } from './pipeline-props';
import { listToken, num, text, texts } from './tokens';
import { DeployCompute, DeployMode, StaticSitePipeline, StaticSitePipelineProps } from 'cdk-deploy-pipelines';

/** A certificate: none, imported from an ARN, or created in this stack or in a stack of a given region. */
type CertificateSpec = 'none' | { readonly imported: Text } | { readonly created: 'same stack' | 'us-east-1 stack' | 'eu-west-1 stack' };

/** A hosted zone: imported with its name, imported by id only (no name), or created. */
type HostedZoneSpec = { readonly attributes: string } | 'id only' | { readonly created: string };

/** Release options go with atomic releases only: giving them with `IN_PLACE` is wrong. */
const deployModeAlternatives: PropGroup[] = [
  {
    name: 'deployMode',
    fields: [
      { path: 'deployMode', values: { valid: valid(fc.constant(DeployMode.ATOMIC_RELEASES)) } },
      { path: 'releasesToKeep', values: releaseCounts() },
      { path: 'redirects', values: { valid: valid(fc.boolean()) } },
      { path: 'verifyRelease.enabled', values: { valid: valid(fc.boolean()) } },
      { path: 'verifyRelease.paths', values: verifyPaths() },
      { path: 'verifyRelease.bakeTime', values: { valid: valid(fc.integer({ min: 0, max: 600 })) } },
      { path: 'verifyRelease.maxErrorRatePercent', values: errorRates() },
      { path: 'previews', values: { valid: valid(fc.boolean()) } },
      { path: 'previews.maxPreviews', values: previewCounts() },
      { path: 'previews.linkExpiry', values: linkExpiries() },
    ],
  },
  { name: 'deployMode', fields: [{ path: 'deployMode', values: { valid: valid(fc.constant(DeployMode.IN_PLACE)) }, required: true }] },
  {
    name: 'previews',
    hostileShape: 'previews with IN_PLACE',
    fields: [
      { path: 'deployMode', values: { valid: valid(fc.constant(DeployMode.IN_PLACE)) }, required: true },
      { path: 'previews', values: { valid: valid(fc.constant(true)) }, required: true },
    ],
  },
  {
    name: 'releasesToKeep',
    hostileShape: 'releasesToKeep with IN_PLACE',
    fields: [
      { path: 'deployMode', values: { valid: valid(fc.constant(DeployMode.IN_PLACE)) }, required: true },
      { path: 'releasesToKeep', values: { valid: valid(fc.constant(5)) }, required: true },
    ],
  },
  {
    name: 'verifyRelease',
    hostileShape: 'verifyRelease with IN_PLACE',
    fields: [
      { path: 'deployMode', values: { valid: valid(fc.constant(DeployMode.IN_PLACE)) }, required: true },
      { path: 'verifyRelease.paths', values: { valid: valid(fc.constant(['/about'])) }, required: true },
    ],
  },
  {
    name: 'redirects',
    hostileShape: 'redirects with IN_PLACE',
    fields: [
      { path: 'deployMode', values: { valid: valid(fc.constant(DeployMode.IN_PLACE)) }, required: true },
      { path: 'redirects', values: { valid: valid(fc.constant(true)) }, required: true },
    ],
  },
];

/** The props of `StaticSitePipeline` and the groups they come in. */
const shape: PropsShape = {
  choices: [sourceAlternatives, deployModeAlternatives],
  groups: [
    ...pipelineGroups,
    {
      name: 'domain',
      optional: true,
      fields: [
        { path: 'domain.domainNames', values: domainNameLists(), required: true },
        { path: 'domain.certificate', values: certificates, required: true },
        { path: 'domain.hostedZone', values: hostedZones() },
        { path: 'domain.redirectToPrimaryDomain', values: { valid: valid(fc.boolean()) } },
        // Used only with atomic releases (previews need them): the preview hosts' domain.
        { path: 'previews.domain.domainName', values: previewDomainNames() },
      ],
    },
    {
      name: 'cacheControl',
      optional: true,
      fields: [
        { path: 'cacheControl.immutablePatterns', values: globLists },
        { path: 'cacheControl.immutable', values: cacheControlValues },
        { path: 'cacheControl.revalidated', values: cacheControlValues },
      ],
    },
    {
      name: 'site',
      fields: [
        { path: 'singlePageApp', values: { valid: valid(fc.boolean()) } },
        { path: 'notFoundPage', values: sitePages },
        { path: 'contentSecurityPolicy', values: contentSecurityPolicies },
        { path: 'priceClass', values: { valid: valid(fc.constantFrom(...Object.values(cloudfront.PriceClass))) } },
        { path: 'webAclId', values: webAclIds() },
        { path: 'deployCompute', values: deployComputes },
      ],
    },
  ],
};

/** `StaticSitePipeline` for the fuzzer. */
export const staticSiteTarget: FuzzTarget = {
  construct: 'StaticSitePipeline',
  shape,
  prepare(stack, c) {
    const props = staticSiteProps(stack, c);
    return () => new StaticSitePipeline(stack, c.id, props);
  },
};

/** The props of a case, built in `stack`. */
function staticSiteProps(stack: Stack, c: FuzzCase): StaticSitePipelineProps {
  const get = propReader(c);
  const has = (group: string) => hasGroup(c, group);
  return {
    ...pipelineProps(stack, c),
    domain: has('domain') ? {
      domainNames: domainNameValues(stack, get<Text[] | TokenSpec>('domain.domainNames')!),
      certificate: certificate(stack, c.stack, get<CertificateSpec>('domain.certificate')!),
      hostedZone: optional(get<HostedZoneSpec>('domain.hostedZone'), (v) => hostedZone(stack, v)),
      redirectToPrimaryDomain: get<boolean>('domain.redirectToPrimaryDomain'),
    } : undefined,
    cacheControl: has('cacheControl') ? {
      immutablePatterns: get<string[]>('cacheControl.immutablePatterns'),
      immutable: optional(get<Text>('cacheControl.immutable'), (v) => text(stack, v)),
      revalidated: optional(get<Text>('cacheControl.revalidated'), (v) => text(stack, v)),
    } : undefined,
    singlePageApp: get<boolean>('singlePageApp'),
    notFoundPage: optional(get<Text>('notFoundPage'), (v) => text(stack, v)),
    contentSecurityPolicy: optional(get<Text>('contentSecurityPolicy'), (v) => text(stack, v)),
    priceClass: get<cloudfront.PriceClass>('priceClass'),
    webAclId: optional(get<Text>('webAclId'), (v) => text(stack, v)),
    deployMode: get<DeployMode>('deployMode'),
    releasesToKeep: optional(get<Num>('releasesToKeep'), (v) => num(stack, v)),
    redirects: get<boolean>('redirects'),
    previews: previewOptions(stack, c),
    deployCompute: get<DeployCompute>('deployCompute'),
    verifyRelease: verifyReleaseOf(get),
  };
}

/** The verifyRelease of a case, when it has any of its fields (the bake time is drawn in seconds). */
function verifyReleaseOf(get: <T>(path: string) => T | undefined): StaticSitePipelineProps['verifyRelease'] {
  const [enabled, paths, bakeSeconds, maxErrorRatePercent] = [get<boolean>('verifyRelease.enabled'), get<string[]>('verifyRelease.paths'),
    get<number>('verifyRelease.bakeTime'), get<number>('verifyRelease.maxErrorRatePercent')];
  if ([enabled, paths, bakeSeconds, maxErrorRatePercent].every((v) => v === undefined)) return undefined;
  return { enabled, paths, bakeTime: optional(bakeSeconds, (v) => Duration.seconds(v)), maxErrorRatePercent };
}

/** Pages the go-live check fetches: paths of the site, at most 20. */
function verifyPaths(): ValueArbitraries<string[]> {
  return {
    valid: valid(fc.array(fc.stringMatching(/^\/[a-z0-9/_.-]{0,30}$/), { maxLength: 5 })),
    hostile: hostile<string[]>([
      ['a path without a leading slash', ['about'], 'invalid'],
      ['a path with a space', ['/a b'], 'invalid'],
      ['a path with a query', ['/search?q=x'], 'invalid'],
      ['a path with a fragment', ['/#top'], 'invalid'],
      ['21 paths', Array.from({ length: 21 }, (_, i) => `/page${i}`), 'invalid'],
      ['a path of 201 characters', [`/${'a'.repeat(200)}`], 'invalid'],
    ]),
  };
}

/** The 5xx rate that rolls back: above 0, at most 100. */
function errorRates(): ValueArbitraries<number> {
  return {
    valid: valid(fc.double({ min: 0.01, max: 100, noNaN: true })),
    hostile: hostile<number>([
      ['zero', 0, 'invalid'],
      ['negative', -1, 'invalid'],
      ['over 100', 101, 'invalid'],
      ['NaN', NaN, 'invalid'],
    ]),
  };
}

/**
 * Where the deploy steps run: Lambda compute is wrong in a region without it (eu-west-2); elsewhere
 * (or without a region) it is fine, so the same value is only odd there.
 */
function deployComputes(stack: StackSpec): ValueArbitraries<DeployCompute> {
  const noLambda = stack.region === 'eu-west-2';
  return {
    valid: valid(noLambda ? fc.constant(DeployCompute.EC2) : fc.constantFrom(DeployCompute.LAMBDA, DeployCompute.EC2)),
    hostile: hostile([['Lambda compute, in a region without it', DeployCompute.LAMBDA, noLambda ? 'invalid' : 'odd']]),
  };
}

/** Domain names as passed: a list of names, or a list token. */
function domainNameValues(stack: Stack, names: Text[] | TokenSpec): string[] {
  return Array.isArray(names) ? texts(stack, names) : listToken(stack);
}

/** The certificate a case passes; one created elsewhere lives in a stack of that region in the same app. */
function certificate(stack: Stack, spec: StackSpec, cert: CertificateSpec): acm.ICertificate | undefined {
  if (cert === 'none') {
    return undefined;
  }
  if ('imported' in cert) {
    return acm.Certificate.fromCertificateArn(stack, 'ImportedCertificate', text(stack, cert.imported));
  }
  const owner = cert.created === 'same stack' ? stack : new Stack(stack.node.root as App, `Certificate-${cert.created.split(' ')[0]}`, {
    env: { account: ACCOUNT, region: cert.created.split(' ')[0] },
    crossRegionReferences: spec.crossRegionReferences,
  });
  return new acm.Certificate(owner, 'Certificate', { domainName: 'www.example.com' });
}

/** The hosted zone a case passes. */
function hostedZone(stack: Stack, zone: HostedZoneSpec): route53.IHostedZone {
  if (zone === 'id only') {
    return route53.HostedZone.fromHostedZoneId(stack, 'Zone', 'Z0123456789ABCDEFGHIJ');
  }
  return 'created' in zone
    ? new route53.PublicHostedZone(stack, 'Zone', { zoneName: zone.created })
    : route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: zone.attributes });
}

/** Lists of domain names, or a list token. */
function domainNameLists(): ValueArbitraries<Text[] | TokenSpec> {
  const names = (n: number) => Array.from({ length: n }, (_, i) => `site${i}.example.com`);
  const lists = listOf(domainNames, [
    ['empty list', [], 'invalid'],
    ['duplicates', ['www.example.com', 'www.example.com'], 'invalid'],
    ['duplicates differing in case', ['www.example.com', 'WWW.example.com'], 'invalid'],
    ['12 names', names(12), 'odd'],
    ['101 names', names(101), 'invalid'],
  ], { minLength: 1, maxLength: 3 });
  return {
    valid: lists.valid as fc.Arbitrary<Sample<Text[] | TokenSpec>>,
    // A list token: the first name is the site URL and the certificate's domain, needed at synth time.
    hostile: fc.oneof(
      lists.hostile! as fc.Arbitrary<Sample<Text[] | TokenSpec>>,
      hostile<Text[] | TokenSpec>([['list token', { token: 'ref' }, 'odd']]),
    ),
  };
}

/**
 * Certificates; whether one created in a region is valid depends on the stack: a certificate from
 * another stack is only valid when both are in us-east-1 (the README imports it by ARN otherwise).
 */
function certificates(stack: StackSpec): ValueArbitraries<CertificateSpec> {
  const inUsEast1 = stack.region === 'us-east-1';
  // A reference across regions would add a Lambda-backed custom resource: only a certificate of a
  // us-east-1 stack given to a us-east-1 site is valid (others import it by ARN).
  const fromUsEast1 = inUsEast1;
  const created: Array<HostileCase<CertificateSpec> | CertificateSpec> = [
    inUsEast1 ? { created: 'same stack' } : stack.region === 'agnostic'
      ? ['created in an environment-agnostic stack', { created: 'same stack' }, 'odd']
      : [`created in a ${stack.region} stack`, { created: 'same stack' }, 'invalid'],
    fromUsEast1 ? { created: 'us-east-1 stack' } : ['created in a us-east-1 stack, for a stack elsewhere', { created: 'us-east-1 stack' }, 'odd'],
    ['created in eu-west-1', { created: 'eu-west-1 stack' }, 'invalid'],
    ['none', 'none', inUsEast1 ? 'odd' : 'invalid'],
  ];
  const validCreated = created.filter((c): c is CertificateSpec => !Array.isArray(c));
  const hostileCreated = created.filter((c): c is HostileCase<CertificateSpec> => Array.isArray(c));
  const usEast1Arn = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`;
  return {
    valid: fc.oneof(
      { arbitrary: valid(fc.constantFrom<CertificateSpec>({ imported: usEast1Arn }, ...validCreated)), weight: 4 },
      { arbitrary: valid<CertificateSpec>(textToken(usEast1Arn).map((t) => ({ imported: t }))), weight: 1 },
    ),
    hostile: hostileOrRandom<CertificateSpec>([
      ...hostileCreated,
      ['imported from eu-west-1', { imported: `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/abc` }, 'invalid'],
      ['imported, garbage ARN', { imported: 'not-an-arn' }, 'invalid'],
      ['imported, empty ARN', { imported: '' }, 'invalid'],
      ['imported, ARN without region', { imported: `arn:aws:acm::${ACCOUNT}:certificate/abc` }, 'invalid'],
      ['imported, IAM server certificate', { imported: `arn:aws:iam::${ACCOUNT}:server-certificate/site` }, 'invalid'],
      ['imported, us-east-1 ARN of another service', { imported: `arn:aws:s3:us-east-1:${ACCOUNT}:certificate/abc` }, 'invalid'],
    ], random('imported, random ARN', anyString.map((imported): CertificateSpec => ({ imported })))),
  };
}

/** Hosted zones: one holding the names is valid; one that does not, or has no known name, is odd. */
function hostedZones(): ValueArbitraries<HostedZoneSpec> {
  return {
    valid: valid(fc.constantFrom<HostedZoneSpec>({ attributes: 'example.com' }, { created: 'example.com' })),
    hostile: hostile<HostedZoneSpec>([
      ['zone of other names', { attributes: 'other.org' }, 'odd'],
      ['imported by id only', 'id only', 'odd'],
    ]),
  };
}

/** Releases kept: 2 to 100. */
function releaseCounts(): ValueArbitraries<Num> {
  return {
    valid: valid<Num>(fc.integer({ min: 2, max: 100 }), fc.constant<Num>({ token: 'lazy', value: 10 })),
    hostile: hostile<Num>([
      ['zero', 0, 'invalid'],
      ['one', 1, 'invalid'],
      ['101', 101, 'invalid'],
      ['fraction', 2.5, 'invalid'],
      ['NaN', NaN, 'invalid'],
      ['negative', -3, 'invalid'],
    ]),
  };
}

/** The previews of a case: none, or the options it has; a preview domain only with atomic releases. */
function previewOptions(stack: Stack, c: FuzzCase): StaticSitePipelineProps['previews'] {
  const get = propReader(c);
  const domainName = get<Text>('previews.domain.domainName');
  const atomic = get<DeployMode>('deployMode') !== DeployMode.IN_PLACE;
  const wanted = get<boolean>('previews') || get('previews.maxPreviews') !== undefined || get('previews.linkExpiry') !== undefined
    || (atomic && domainName !== undefined);
  return wanted ? {
    maxPreviews: optional(get<Num>('previews.maxPreviews'), (v) => num(stack, v)),
    linkExpiry: optional(get<ExpirySpec>('previews.linkExpiry'), (d) => Duration[d.unit](d.amount)),
    domain: atomic ? optional(domainName, (v) => ({ domainName: text(stack, v) })) : undefined,
  } : undefined;
}

/** Preview domains: a domain name under which each preview gets a host. */
function previewDomainNames(): ValueArbitraries<Text> {
  return {
    valid: valid<Text>(fc.constantFrom('preview.example.com', 'pr.docs.example.org')),
    hostile: hostile<Text>([
      ['wildcard', '*.preview.example.com', 'invalid'],
      ['space', 'preview example.com', 'invalid'],
      ['empty', '', 'invalid'],
      ['URL', 'https://preview.example.com/', 'invalid'],
    ]),
  };
}

/** Previews kept: 1 to 50. */
function previewCounts(): ValueArbitraries<Num> {
  return {
    valid: valid<Num>(fc.integer({ min: 1, max: 50 }), fc.constant<Num>({ token: 'lazy', value: 10 })),
    hostile: hostile<Num>([
      ['zero', 0, 'invalid'],
      ['51', 51, 'invalid'],
      ['fraction', 2.5, 'invalid'],
      ['NaN', NaN, 'invalid'],
      ['negative', -3, 'invalid'],
    ]),
  };
}

/** A link expiry: an amount of a unit, as `Duration` takes them. */
interface ExpirySpec {
  readonly unit: 'seconds' | 'minutes' | 'hours' | 'days';
  readonly amount: number;
}

/** Link expiries: whole minutes from an hour to 30 days. */
function linkExpiries(): ValueArbitraries<ExpirySpec> {
  return {
    valid: valid(
      fc.constantFrom<ExpirySpec>({ unit: 'days', amount: 7 }, { unit: 'hours', amount: 1 }, { unit: 'days', amount: 30 }),
      fc.integer({ min: 60, max: 43200 }).map((amount): ExpirySpec => ({ unit: 'minutes', amount })),
    ),
    hostile: hostile<ExpirySpec>([
      ['zero', { unit: 'minutes', amount: 0 }, 'invalid'],
      ['59 minutes', { unit: 'minutes', amount: 59 }, 'invalid'],
      ['31 days', { unit: 'days', amount: 31 }, 'invalid'],
      ['90 seconds', { unit: 'seconds', amount: 90 }, 'invalid'],
      ['fraction', { unit: 'minutes', amount: 90.5 }, 'invalid'],
      ['NaN', { unit: 'minutes', amount: NaN }, 'invalid'],
    ]),
  };
}

/** Web ACL ids: CloudFront takes the ARN of a WAFv2 web ACL of scope CLOUDFRONT. */
function webAclIds(): ValueArbitraries<Text> {
  const globalAcl = `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/site/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee`;
  return {
    valid: validText(globalAcl, fc.constant(globalAcl)),
    hostile: hostileOrRandom<Text>([
      ['regional web ACL', `arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/webacl/site/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee`, 'invalid'],
      ['garbage', 'not-a-web-acl', 'invalid'],
      ['empty', '', 'odd'],
      ['WAF Classic id', 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111', 'odd'],
    ], random('random', anyString)),
  };
}
