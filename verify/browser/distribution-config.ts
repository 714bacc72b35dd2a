import { Stack, Stage } from 'aws-cdk-lib';
import { resourcesOfType } from '../../test/support/template-resources';

/** A CloudFront custom error response: which origin status is replaced by which page and status. */
export interface ErrorResponse {
  /** Origin status code the rule applies to, e.g. 404. */
  readonly errorCode: number;
  /** Path of the page served instead, e.g. '/404.html'; absent when only the status changes. */
  readonly responsePagePath?: string;
  /** Status sent to the viewer; absent when the origin's is kept. */
  readonly responseCode?: number;
}

/** A header that the response headers policy adds to every response. */
export interface PolicyHeader {
  /** Lower-case header name. */
  readonly name: string;
  /** Header value exactly as CloudFront sends it. */
  readonly value: string;
  /** Whether the policy's value replaces one the origin sent. */
  readonly override: boolean;
}

/** What CloudFront does with a request for the default behavior of a synthesized distribution. */
export interface DistributionConfig {
  /** Logical id of the distribution the values were read from. */
  readonly distributionId: string;
  /** Methods the default behavior accepts; CloudFront answers others with 403. */
  readonly allowedMethods: string[];
  /** Object served for a request of `/`, e.g. 'index.html'; absent when none is set. */
  readonly defaultRootObject?: string;
  /** JavaScript source of the viewer-request CloudFront Function; absent when none is associated. */
  readonly viewerRequestCode?: string;
  /**
   * The id the function code names its KeyValueStore by: the store of the stack the template
   * references (`Fn::GetAtt [store, Id]`), replaced by `EMULATED_KEY_VALUE_STORE_ID`. Absent when
   * the function reads no store (in-place deploys).
   */
  readonly keyValueStoreId?: string;
  /** JavaScript source of the viewer-response CloudFront Function; absent when none is associated. */
  readonly viewerResponseCode?: string;
  /** Custom error responses, in template order. */
  readonly errorResponses: ErrorResponse[];
  /** Headers of the response headers policy; empty when none is attached. */
  readonly policyHeaders: PolicyHeader[];
}

/**
 * Synthesizes `stack` and reads the routing-relevant configuration of its only CloudFront
 * distribution, following the distribution's own references to its viewer-request function and
 * response headers policy (so an unrelated function or policy in the stack is never picked up).
 */
export function distributionConfig(stack: Stack): DistributionConfig {
  const stage = Stage.of(stack);
  if (!stage) {
    throw new Error(`stack ${stack.node.path} is not in an app`);
  }
  const resources: Record<string, CfnResource> = stage.synth().getStackArtifact(stack.artifactId).template.Resources ?? {};
  const distributionId = onlyResourceOf(resources, 'AWS::CloudFront::Distribution', stack);
  const config = resources[distributionId].Properties.DistributionConfig;
  const behavior = config.DefaultCacheBehavior;

  const code = functionCode(resources, behavior.FunctionAssociations ?? [], 'viewer-request');
  return {
    distributionId,
    allowedMethods: behavior.AllowedMethods ?? ['GET', 'HEAD'],
    defaultRootObject: config.DefaultRootObject || undefined,
    viewerRequestCode: code?.source,
    keyValueStoreId: code?.keyValueStoreId,
    viewerResponseCode: functionCode(resources, behavior.FunctionAssociations ?? [], 'viewer-response')?.source,
    errorResponses: (config.CustomErrorResponses ?? []).map((e: any) => ({
      errorCode: Number(e.ErrorCode),
      responsePagePath: e.ResponsePagePath,
      responseCode: e.ResponseCode === undefined ? undefined : Number(e.ResponseCode),
    })),
    policyHeaders: behavior.ResponseHeadersPolicyId
      ? policyHeaders(resources[referencedId(behavior.ResponseHeadersPolicyId, 'ResponseHeadersPolicyId')])
      : [],
  };
}

/** A resource of a synthesized template; only the parts read here are typed. */
interface CfnResource {
  readonly Type: string;
  readonly Properties: any;
}

/** One security header of a response headers policy: its name and how its value is built from its config. */
interface SecurityHeaderRule {
  /** Key in `SecurityHeadersConfig`. */
  readonly key: string;
  /** Lower-case header name. */
  readonly name: string;
  /** The header value from the header's config. */
  readonly value: (config: any) => string;
}

// How CloudFront writes each security header of a policy.
// See https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/understanding-response-headers-policies.html#understanding-response-headers-policies-security
const SECURITY_HEADER_RULES: SecurityHeaderRule[] = [
  {
    key: 'StrictTransportSecurity',
    name: 'strict-transport-security',
    value: (c) => [`max-age=${c.AccessControlMaxAgeSec}`, c.IncludeSubdomains && 'includeSubDomains', c.Preload && 'preload']
      .filter(Boolean).join('; '),
  },
  { key: 'ContentTypeOptions', name: 'x-content-type-options', value: () => 'nosniff' },
  { key: 'FrameOptions', name: 'x-frame-options', value: (c) => c.FrameOption },
  { key: 'ReferrerPolicy', name: 'referrer-policy', value: (c) => c.ReferrerPolicy },
  { key: 'ContentSecurityPolicy', name: 'content-security-policy', value: (c) => c.ContentSecurityPolicy },
  {
    key: 'XSSProtection',
    name: 'x-xss-protection',
    value: (c) => (c.Protection
      ? ['1', c.ModeBlock && 'mode=block', c.ReportUri && `report=${c.ReportUri}`].filter(Boolean).join('; ')
      : '0'),
  },
];

/** The logical id of the only resource of `type`; throws when there is none or more than one. */
function onlyResourceOf(resources: Record<string, CfnResource>, type: string, stack: Stack): string {
  const ids = resourcesOfType({ Resources: resources }, type).map(([id]) => id);
  if (ids.length !== 1) {
    throw new Error(`expected one ${type} in ${stack.stackName}, found ${ids.length}`);
  }
  return ids[0];
}

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` points at; throws for anything else (e.g. an imported id). */
function referencedId(value: any, property: string): string {
  const id = value?.Ref ?? value?.['Fn::GetAtt']?.[0];
  if (typeof id !== 'string') {
    throw new Error(`${property} is not a reference to a resource in the stack: ${JSON.stringify(value)}`);
  }
  return id;
}

/** The id the emulated KeyValueStore goes by in the function code. */
export const EMULATED_KEY_VALUE_STORE_ID = '00000000-0000-0000-0000-000000000000';

/**
 * The code of the function of `eventType` among `associations`, if any: a literal string, or an
 * `Fn::Join` of literals and the id of a KeyValueStore of the stack (which becomes
 * `EMULATED_KEY_VALUE_STORE_ID`). Throws for any other token.
 */
function functionCode(resources: Record<string, CfnResource>, associations: any[],
  eventType: 'viewer-request' | 'viewer-response'): { source: string; keyValueStoreId?: string } | undefined {
  const association = associations.find((a) => a.EventType === eventType);
  if (!association) {
    return undefined;
  }
  const code = resources[referencedId(association.FunctionARN, 'FunctionARN')].Properties.FunctionCode;
  if (typeof code === 'string') {
    return { source: code };
  }
  const [separator, parts] = code?.['Fn::Join'] ?? [];
  const isStoreId = (part: any) => part?.['Fn::GetAtt']?.[1] === 'Id' && resources[part['Fn::GetAtt'][0]]?.Type === 'AWS::CloudFront::KeyValueStore';
  if (typeof separator !== 'string' || !Array.isArray(parts) || !parts.every((p) => typeof p === 'string' || isStoreId(p))) {
    throw new Error(`the ${eventType} FunctionCode holds tokens other than a KeyValueStore id: ${JSON.stringify(code).slice(0, 200)}`);
  }
  return {
    source: parts.map((p) => (typeof p === 'string' ? p : EMULATED_KEY_VALUE_STORE_ID)).join(separator),
    keyValueStoreId: parts.some(isStoreId) ? EMULATED_KEY_VALUE_STORE_ID : undefined,
  };
}

/** The headers a response headers policy adds: its security headers, then its custom headers. */
function policyHeaders(policy: CfnResource): PolicyHeader[] {
  const config = policy.Properties.ResponseHeadersPolicyConfig;
  const security = config.SecurityHeadersConfig ?? {};
  const headers: PolicyHeader[] = SECURITY_HEADER_RULES
    .filter((rule) => security[rule.key])
    .map((rule) => ({ name: rule.name, value: rule.value(security[rule.key]), override: security[rule.key].Override === true }));
  for (const item of config.CustomHeadersConfig?.Items ?? []) {
    headers.push({ name: String(item.Header).toLowerCase(), value: item.Value, override: item.Override === true });
  }
  return headers;
}
