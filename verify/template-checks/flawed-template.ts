/**
 * The negative control of the template linters: a template with a mistake each must report, and
 * a suppression the proofs must refuse (no reason, not listed in the docs).
 */

/** The rules the linters must report on the flawed template. */
export const FLAWED_TEMPLATE_FINDINGS = {
  /** A misspelt property (`BucketNam`), and a DependsOn that a GetAtt already implies. */
  'cfn-lint': ['E3002', 'W3005'],
  /** A bucket without server access logging. */
  'checkov': ['CKV_AWS_18'],
} as const;

/** The resource whose suppressions lack a reason and a docs entry. */
export const UNREASONED_RESOURCE = 'Unreasoned';

export function flawedTemplate(): object {
  const role = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
    },
  };
  const taggedWithRole = [{ Key: 'role', Value: { 'Fn::GetAtt': ['Role', 'Arn'] } }];
  return {
    Resources: {
      Role: role,
      Bucket: { Type: 'AWS::S3::Bucket', DependsOn: ['Role'], Properties: { BucketNam: 'flawed', Tags: taggedWithRole } },
      [UNREASONED_RESOURCE]: {
        Type: 'AWS::S3::Bucket',
        DependsOn: ['Role'],
        Metadata: {
          'cfn-lint': { config: { ignore_checks: ['W3005'] } },
          'checkov': { skip: [{ id: 'CKV_AWS_18' }] },
        },
        Properties: { Tags: taggedWithRole },
      },
    },
  };
}
