import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The KMS actions for reading and writing SSE-KMS data: no `kms:ReEncrypt*` or `kms:GenerateDataKey*`. */
const KEY_ACTIONS = {
  decrypt: ['kms:Decrypt'],
  encrypt: ['kms:Encrypt', 'kms:GenerateDataKey'],
};

/** Narrows aws-cdk-lib's wildcard KMS actions to the ones S3, SNS and CodeBuild call. */
function explicitKeyActions(actions: string[]): string[] {
  const mapped = actions.flatMap((action) => {
    switch (action) {
      case 'kms:GenerateDataKey*': return ['kms:GenerateDataKey'];
      // S3, SNS and CodeBuild never re-encrypt.
      case 'kms:ReEncrypt*': return [];
      default: return [action];
    }
  });
  return [...new Set(mapped)];
}

/**
 * A customer managed key of this library: rotated, granting explicit actions only, and letting
 * only AWS services acting for a resource create grants (Control Tower CT.KMS.PR.3).
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource
 */
export class PipelineKey extends kms.Key {
  constructor(scope: Construct, id: string, description: string) {
    super(scope, id, { description, enableKeyRotation: true });
    this.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }));
  }

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: explicitKeyActions(actions),
      resourceArns: [this.keyArn],
      // A key policy names the key it belongs to as '*': its own ARN would make the key depend on itself.
      resourceSelfArns: ['*'],
      resource: this,
    });
  }

  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...KEY_ACTIONS.decrypt);
  }

  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...KEY_ACTIONS.encrypt);
  }

  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...KEY_ACTIONS.decrypt, ...KEY_ACTIONS.encrypt);
  }
}
