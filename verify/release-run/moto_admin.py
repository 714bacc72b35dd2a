"""What the release proof asks of moto_server as an administrator, one JSON command on stdin:

- setup: creates the bucket, and for each role an IAM user whose only policies are the role's,
  with an access key; returns {role: {AccessKeyId, SecretAccessKey}}.
- put: writes objects ({key: {body, cacheControl?}}), to seed releases made before the proof.
- snapshot: every object of the bucket as S3 keeps it: size, Cache-Control, Content-Type, user metadata.
- pipelines: creates pipelines of the given names (two stages each, and a role CodePipeline may
  assume, as moto requires) and starts one execution of each, as a start by hand does; returns
  {name: execution id}.

Run while moto does not enforce IAM (the proof turns enforcement off around it).
"""
import json
import sys

import boto3


def main():
    command = json.load(sys.stdin)
    session = boto3.session.Session(aws_access_key_id='admin', aws_secret_access_key='admin', region_name=command['region'])
    s3 = session.client('s3', endpoint_url=command['endpoint'])
    iam = session.client('iam', endpoint_url=command['endpoint'])
    codepipeline = session.client('codepipeline', endpoint_url=command['endpoint'])
    bucket = command['bucket']
    if command['kind'] == 'setup':
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={'LocationConstraint': command['region']})
        keys = {}
        for role, documents in command['roles'].items():
            iam.create_user(UserName=role)
            for i, document in enumerate(documents):
                iam.put_user_policy(UserName=role, PolicyName=f'policy{i}', PolicyDocument=json.dumps(document))
            key = iam.create_access_key(UserName=role)['AccessKey']
            keys[role] = {'AccessKeyId': key['AccessKeyId'], 'SecretAccessKey': key['SecretAccessKey']}
        print(json.dumps(keys))
    elif command['kind'] == 'put':
        for key, obj in command['objects'].items():
            extra = {'CacheControl': obj['cacheControl']} if obj.get('cacheControl') else {}
            s3.put_object(Bucket=bucket, Key=key, Body=obj['body'].encode(), **extra)
        print('{}')
    elif command['kind'] == 'pipelines':
        trust = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'codepipeline.amazonaws.com'}, 'Action': 'sts:AssumeRole'}]}
        role = iam.create_role(RoleName='pipelines', AssumeRolePolicyDocument=json.dumps(trust))['Role']['Arn']
        executions = {}
        for name in command['names']:
            stage = lambda stage_name, category, provider: {'name': stage_name, 'actions': [{
                'name': stage_name, 'actionTypeId': {'category': category, 'owner': 'AWS', 'provider': provider, 'version': '1'}}]}
            codepipeline.create_pipeline(pipeline={
                'name': name, 'roleArn': role, 'artifactStore': {'type': 'S3', 'location': bucket},
                'stages': [stage('Source', 'Source', 'S3'), stage('Build', 'Build', 'CodeBuild')],
            })
            executions[name] = codepipeline.start_pipeline_execution(name=name)['pipelineExecutionId']
        print(json.dumps(executions))
    elif command['kind'] == 'snapshot':
        objects = {}
        for page in s3.get_paginator('list_objects_v2').paginate(Bucket=bucket):
            for o in page.get('Contents', []):
                head = s3.head_object(Bucket=bucket, Key=o['Key'])
                objects[o['Key']] = {
                    'size': o['Size'],
                    'cacheControl': head.get('CacheControl'),
                    'contentType': head.get('ContentType'),
                    'metadata': head.get('Metadata') or {},
                }
        print(json.dumps(objects))


if __name__ == '__main__':
    main()
