/**
 * Hints for the props of `StaticSitePipeline`: the domain and its certificate, releases, previews
 * and verified releases, and the rules across them (release options need atomic releases).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as fc from 'fast-check';
import { codeCommitFilePathsRule, durations } from './pipeline';
import {
  ACCOUNT, anyString, cacheControlValues, contentSecurityPolicies, domainNames, DurationSpec, globLists, hostile, HostileCase,
  hostileOrRandom, listOf, random, Sample, sitePages, Text, textToken, TokenSpec, valid, validText, ValueArbitraries, wholeNumbers,
  wholeMinutes,
} from '../arbitraries';
import type { StackSpec } from '../case';
import { BuildContext, Constraint, Hints, StructValue } from '../schema';
import { text } from '../tokens';
import { DeployCompute } from 'cdk-deploy-pipelines';

/** A certificate: none, imported from an ARN, or created in this stack or in a stack of a given region. */
type CertificateSpec = undefined | { readonly imported: Text } | { readonly created: 'same stack' | 'us-east-1 stack' | 'eu-west-1 stack' };

/** A hosted zone: imported with its name, imported by id only (no name), or created. */
type HostedZoneSpec = { readonly attributes: string } | 'id only' | { readonly created: string };

const US_EAST_1_CERTIFICATE = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`;

export const staticSiteHints: Hints = {
  values: {
    'SiteDomainOptions.domainNames': { values: domainNameLists() },
    'SiteDomainOptions.certificate': {
      values: certificates,
      coversAbsence: true,
      build: (cert: CertificateSpec, at) => {
        if (cert === undefined) return undefined;
        if ('imported' in cert) return acm.Certificate.fromCertificateArn(at.stack, at.id, text(at.stack, cert.imported));
        const region = cert.created.split(' ')[0];
        const owner = cert.created === 'same stack' ? at.stack : new Stack(at.stack.node.root as App, `Certificate-${region}`, {
          env: { account: ACCOUNT, region },
          crossRegionReferences: at.spec.crossRegionReferences,
        });
        return new acm.Certificate(owner, at.id, { domainName: 'www.example.com' });
      },
    },
    'aws-cdk-lib.aws_route53.IHostedZone': {
      values: hostedZones(),
      build: hostedZone,
    },
    'CacheControlOptions.immutablePatterns': { values: globLists },
    'CacheControlOptions.immutable': { values: cacheControlValues },
    'CacheControlOptions.revalidated': { values: cacheControlValues },
    'StaticSitePipelineProps.notFoundPage': { values: sitePages },
    'StaticSitePipelineProps.contentSecurityPolicy': { values: contentSecurityPolicies },
    'StaticSitePipelineProps.webAclId': { values: webAclIds() },
    'StaticSitePipelineProps.releasesToKeep': { values: wholeNumbers(2, 100) },
    'StaticSitePipelineProps.deployCompute': { values: deployComputes },
    'aws-cdk-lib.aws_cloudfront.PriceClass': { values: { valid: valid(fc.constantFrom(...Object.values(cloudfront.PriceClass))) } },
    'VerifyReleaseOptions.paths': { values: verifyPaths() },
    // At most 10 minutes: the go-live step on Lambda compute stops after 15.
    'VerifyReleaseOptions.bakeTime': durations({ valid: valid(fc.integer({ min: 0, max: 600 }).map((amount): DurationSpec => ({ unit: 'seconds', amount }))) }),
    'VerifyReleaseOptions.maxErrorRatePercent': { values: errorRates() },
    'PreviewOptions.maxPreviews': { values: wholeNumbers(1, 50) },
    // From an hour to 30 days.
    'PreviewOptions.linkExpiry': durations(wholeMinutes(60, 30 * 24 * 60, [{ unit: 'days', amount: 7 }, { unit: 'hours', amount: 1 }, { unit: 'days', amount: 30 }])),
    'PreviewDomainOptions.domainName': { values: previewDomainNames() },
    // The usual setup: the previews' own zone, delegated from the site's; or the site's zone itself.
    'PreviewDomainOptions.hostedZone': {
      values: { valid: valid(fc.constantFrom<HostedZoneSpec>({ attributes: 'preview.example.com' }, { created: 'preview.example.com' }, { attributes: 'example.com' })) },
      build: hostedZone,
    },
  },
  lists: {},
  rules: [
    ...(['releasesToKeep', 'verifyRelease', 'previews', 'redirects', 'headers'] as const).map((prop) => atomicReleasesOnly(prop)),
    codeCommitFilePathsRule('StaticSitePipelineProps', (v) => v.deployMode === 'IN_PLACE', (v) => ({ ...v, deployMode: 'ATOMIC_RELEASES' })),
    {
      kind: 'constraint',
      struct: 'StaticSitePipelineProps',
      label: 'previews.domain without domain',
      severity: 'invalid',
      broken: (v) => (previewDomainOf(v) !== undefined && v.domain === undefined ? ['.previews.domain'] : []),
      keep: (v) => (previewDomainOf(v) !== undefined && v.domain === undefined
        ? { ...v, domain: { domainNames: ['www.example.com'], certificate: { imported: US_EAST_1_CERTIFICATE } } } : v),
      break: (v) => ({ ...v, domain: undefined, previews: { domain: { domainName: 'preview.example.com' } } }),
    },
    {
      kind: 'constraint',
      struct: 'StaticSitePipelineProps',
      label: 'a preview domain that is a domain name of the site',
      severity: 'invalid',
      broken: (v) => {
        const names = (v.domain as { domainNames?: unknown } | undefined)?.domainNames;
        return Array.isArray(names) && names.includes(previewDomainOf(v)?.domainName) ? ['.previews.domain.domainName'] : [];
      },
      keep: (v) => v,
    },
  ],
};

/** A release option is rejected with `IN_PLACE` (`redirects` and `headers` only when true): kept by atomic releases, or broken by giving it with `IN_PLACE`. */
function atomicReleasesOnly(prop: 'releasesToKeep' | 'verifyRelease' | 'previews' | 'redirects' | 'headers'): Constraint {
  const given = (v: StructValue) => (prop === 'redirects' || prop === 'headers' ? v[prop] === true : v[prop] !== undefined);
  const inPlace = (v: StructValue) => v.deployMode === 'IN_PLACE';
  const example = { releasesToKeep: 5, verifyRelease: { paths: ['/about'] }, previews: {}, redirects: true, headers: true }[prop];
  return {
    kind: 'constraint',
    struct: 'StaticSitePipelineProps',
    label: `${prop} with IN_PLACE`,
    severity: 'invalid',
    broken: (v) => (inPlace(v) && given(v) ? [`.${prop}`] : []),
    // A hostile value of the option stays, with atomic releases; otherwise the option goes.
    keep: (v, isHostile) => {
      if (!inPlace(v) || !given(v)) return v;
      return isHostile(prop) ? { ...v, deployMode: 'ATOMIC_RELEASES' } : { ...v, [prop]: undefined };
    },
    break: (v) => ({ ...v, deployMode: 'IN_PLACE', [prop]: example }),
  };
}

/** The preview domain of a props value, if any. */
function previewDomainOf(v: StructValue): { domainName?: unknown } | undefined {
  return (v.previews as { domain?: { domainName?: unknown } } | undefined)?.domain;
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

/** Lists of domain names, or a list token. */
function domainNameLists(): ValueArbitraries<Text[] | TokenSpec> {
  const names = (n: number) => Array.from({ length: n }, (_, i) => `site${i}.example.com`);
  const lists = listOf(domainNames, [
    ['empty list', [], 'invalid'],
    ['duplicates', ['www.example.com', 'www.example.com'], 'invalid'],
    ['duplicates differing in case', ['www.example.com', 'WWW.example.com'], 'invalid'],
    ['12 names', names(12), 'odd'],
    // CloudFront's quota of 100 alternate domain names per distribution can be raised.
    ['101 names', names(101), 'odd'],
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
 * Certificates, and none (created by the construct, in us-east-1 only); whether one created in a
 * region is valid depends on the stack: a certificate from another stack is only valid when both
 * are in us-east-1 (a reference across regions would add a Lambda-backed custom resource; the
 * README imports the certificate by ARN instead).
 */
function certificates(stack: StackSpec): ValueArbitraries<CertificateSpec> {
  const inUsEast1 = stack.region === 'us-east-1';
  const created: Array<HostileCase<CertificateSpec> | CertificateSpec> = [
    inUsEast1 ? { created: 'same stack' } : stack.region === 'agnostic'
      ? ['created in an environment-agnostic stack', { created: 'same stack' }, 'odd']
      : [`created in a ${stack.region} stack`, { created: 'same stack' }, 'invalid'],
    inUsEast1 ? { created: 'us-east-1 stack' } : ['created in a us-east-1 stack, for a stack elsewhere', { created: 'us-east-1 stack' }, 'odd'],
    ['created in eu-west-1', { created: 'eu-west-1 stack' }, 'invalid'],
    ['none', undefined, inUsEast1 ? 'odd' : 'invalid'],
  ];
  const validCreated = created.filter((c): c is CertificateSpec => !Array.isArray(c));
  const hostileCreated = created.filter((c): c is HostileCase<CertificateSpec> => Array.isArray(c));
  return {
    valid: fc.oneof(
      { arbitrary: valid(fc.constantFrom<CertificateSpec>({ imported: US_EAST_1_CERTIFICATE }, ...validCreated)), weight: 4 },
      { arbitrary: valid<CertificateSpec>(textToken(US_EAST_1_CERTIFICATE).map((t) => ({ imported: t }))), weight: 1 },
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

/** A hosted zone, imported (by attributes or id only) or created. */
function hostedZone(zone: HostedZoneSpec, at: BuildContext): route53.IHostedZone {
  if (zone === 'id only') return route53.HostedZone.fromHostedZoneId(at.stack, at.id, 'Z0123456789ABCDEFGHIJ');
  return 'created' in zone
    ? new route53.PublicHostedZone(at.stack, at.id, { zoneName: zone.created })
    : route53.HostedZone.fromHostedZoneAttributes(at.stack, at.id, { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: zone.attributes });
}

/** Hosted zones: one holding the names (all under example.com) is valid; one that does not, or has no known name, is odd. */
function hostedZones(): ValueArbitraries<HostedZoneSpec> {
  return {
    valid: valid(fc.constantFrom<HostedZoneSpec>({ attributes: 'example.com' }, { created: 'example.com' })),
    hostile: hostile<HostedZoneSpec>([
      ['zone of other names', { attributes: 'other.org' }, 'odd'],
      ['imported by id only', 'id only', 'odd'],
    ]),
  };
}

/** Preview domains: a domain name (under example.com, like the site's names) under which each preview gets a host. */
function previewDomainNames(): ValueArbitraries<Text> {
  return {
    valid: valid<Text>(fc.constantFrom('preview.example.com', 'pr.docs.example.com')),
    hostile: hostile<Text>([
      ['wildcard', '*.preview.example.com', 'invalid'],
      ['space', 'preview example.com', 'invalid'],
      ['empty', '', 'invalid'],
      ['URL', 'https://preview.example.com/', 'invalid'],
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
