import { CfnResource, Names, Stack, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';

/**
 * Context key that keeps the KeyValueStore name of versions before 0.1 (without the region), so
 * that a site deployed with one keeps its store, and with it the live release, on upgrade.
 */
export const KEEP_KEY_VALUE_STORE_NAME_CONTEXT = 'cdk-deploy-pipelines:keepKeyValueStoreNameWithoutRegion';

/**
 * The longest name of a region aws-cdk-lib knows, counted for a stack whose region is a token
 * (known only at deploy time).
 */
const LONGEST_REGION_NAME = Math.max(...RegionInfo.regions.map((region) => region.name.length));

/**
 * The maximum length of the name of each CloudFront resource a site creates: CloudFront names are
 * unique in the whole account, across regions.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudfront-keyvaluestore.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-cloudfront-originaccesscontrol-originaccesscontrolconfig.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-cloudfront-responseheaderspolicy-responseheaderspolicyconfig.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-cloudfront-originrequestpolicy-originrequestpolicyconfig.html
 */
export const CLOUDFRONT_NAME_MAX_LENGTH = {
  keyValueStore: 64,
  originAccessControl: 64,
  responseHeadersPolicy: 128,
  originRequestPolicy: 128,
};

/**
 * Names the CloudFront resource `resource` (its L1 property at `nameProperty`, e.g.
 * `OriginAccessControlConfig.Name`) `<region>-<construct path>`, at most `maxLength` characters:
 * unique per account, region and construct path, so that one stack deployed in two regions of an
 * account does not collide.
 */
export function nameAccountGlobalResource(resource: IConstruct, nameProperty: string, maxLength: number): void {
  const region = Stack.of(resource).region;
  const regionLength = Token.isUnresolved(region) ? LONGEST_REGION_NAME : region.length;
  const pathName = Names.uniqueResourceName(resource, { maxLength: maxLength - regionLength - 1 });
  (resource.node.defaultChild as CfnResource).addPropertyOverride(nameProperty, `${region}-${pathName}`);
}
