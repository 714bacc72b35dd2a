"""A stand-in for the CodeDeploy API, for the calls the fleet release program makes: moto's CodeDeploy
leaves every deployment `Created` and has no StopDeployment nor GetApplicationRevision.

Every request is checked against the CodeDeploy service model that the pinned CLI's botocore ships
(model_check.py), must be signed (SigV4) by a known access key, and moto's own IAM policy evaluator
must allow the action on the resource the service authorization reference names for it (the
deployment group, the application, or `*` for StopDeployment) for that key's policies.

A deployment advances one status each time it is read, as CodeDeploy's would over minutes:
Created, InProgress, then Succeeded (registering the group's instances in the fleet's target group,
as CodeDeploy's traffic control does) or Failed, by the mode the proof set (`succeed`, `fail`, or
`hang`: it stays InProgress until stopped).

CodeDeploy's Auto Scaling integration is played too: an instance that Auto Scaling put in service in
a group whose deployment group has a revision gets that revision (a deployment made by `autoscaling`)
and is registered in the target group; an instance that left the group is deregistered.

Usage: python codedeploy_standin.py <port>; the proof configures it through /_standin/ hooks:
PUT setup ({application, account, region, groups: {name: {autoScalingGroup, targetGroupArn}}, moto:
{endpoint, accessKey, secretKey}}), PUT keys (access key -> policy documents), PUT mode, GET state.
"""
import json
import random
import string
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
from moto.iam.access_control import IAMPolicy, PermissionResult

from model_check import ApiError, check_input, load_model

MODEL = load_model('codedeploy', '2014-10-06')
TARGET_PREFIX = MODEL['metadata']['targetPrefix'] + '.'


class World:
    def __init__(self):
        self.lock = threading.RLock()
        self.application = ''
        self.account = ''
        self.region = ''
        self.groups = {}
        self.deployments = {}
        self.revisions = {}
        self.mode = 'succeed'
        self.policies = {}
        self.calls = []
        self.moto = None

    def group_arn(self, group):
        return f'arn:aws:codedeploy:{self.region}:{self.account}:deploymentgroup:{self.application}/{group}'

    def application_arn(self):
        return f'arn:aws:codedeploy:{self.region}:{self.account}:application:{self.application}'


WORLD = World()


def revision_key(revision):
    location = revision.get('s3Location', {})
    return f's3://{location.get("bucket")}/{location.get("key")}'


def new_deployment(group, revision, description, creator, status):
    now = time.time()
    deployment_id = 'd-' + ''.join(random.choices(string.ascii_uppercase + string.digits, k=9))
    key = revision_key(revision)
    WORLD.revisions.setdefault(key, {'firstUsedTime': now, 'registerTime': now, 'groups': set()})
    WORLD.revisions[key]['lastUsedTime'] = now
    WORLD.revisions[key]['groups'].add(group)
    WORLD.deployments[deployment_id] = {
        'deploymentId': deployment_id,
        'applicationName': WORLD.application,
        'deploymentGroupName': group,
        'revision': revision,
        'status': status,
        'creator': creator,
        'description': description,
        'createTime': now,
        'reads': 0,
    }
    return WORLD.deployments[deployment_id]


def info(deployment):
    keys = ['deploymentId', 'applicationName', 'deploymentGroupName', 'revision', 'status', 'creator', 'description', 'createTime']
    out = {k: deployment[k] for k in keys if deployment.get(k) is not None}
    if deployment.get('completeTime'):
        out['completeTime'] = deployment['completeTime']
    if deployment.get('errorInformation'):
        out['errorInformation'] = deployment['errorInformation']
    return out


def summary(deployment):
    if not deployment:
        return None
    out = {'deploymentId': deployment['deploymentId'], 'status': deployment['status'], 'createTime': deployment['createTime']}
    if deployment.get('completeTime'):
        out['endTime'] = deployment['completeTime']
    return out


def last(group, succeeded_only):
    found = [d for d in WORLD.deployments.values() if d['deploymentGroupName'] == group and (not succeeded_only or d['status'] == 'Succeeded')]
    return max(found, key=lambda d: d['createTime']) if found else None


def in_service_instances(group):
    groups = WORLD.moto['autoscaling'].describe_auto_scaling_groups(AutoScalingGroupNames=[WORLD.groups[group]['autoScalingGroup']])['AutoScalingGroups']
    instances = groups[0].get('Instances', []) if groups else []
    return [i['InstanceId'] for i in instances if i['LifecycleState'] == 'InService']


def registered_targets(group):
    health = WORLD.moto['elbv2'].describe_target_health(TargetGroupArn=WORLD.groups[group]['targetGroupArn'])['TargetHealthDescriptions']
    return [t['Target']['Id'] for t in health if t['TargetHealth']['State'] != 'unused']


def register(group, instances):
    if instances:
        WORLD.moto['elbv2'].register_targets(TargetGroupArn=WORLD.groups[group]['targetGroupArn'], Targets=[{'Id': i} for i in instances])


def advance(deployment):
    """One read further: Created -> InProgress -> Succeeded or Failed (by the mode it was made in)."""
    deployment['reads'] += 1
    if deployment['status'] == 'Created':
        deployment['status'] = 'InProgress'
    elif deployment['status'] == 'InProgress' and deployment['mode'] != 'hang':
        deployment['completeTime'] = time.time()
        if deployment['mode'] == 'fail':
            deployment['status'] = 'Failed'
            deployment['errorInformation'] = {'code': 'SCRIPT_FAILED', 'message': 'Script at specified location: scripts/validate-service.sh run as user root failed with exit code 1'}
        else:
            deployment['status'] = 'Succeeded'
            register(deployment['deploymentGroupName'], in_service_instances(deployment['deploymentGroupName']))


def resource_of(operation, values):
    if operation in ('CreateDeployment', 'GetDeploymentGroup'):
        return WORLD.group_arn(values.get('deploymentGroupName', ''))
    if operation == 'GetDeployment':
        deployment = WORLD.deployments.get(values.get('deploymentId', ''))
        return WORLD.group_arn(deployment['deploymentGroupName']) if deployment else WORLD.group_arn('*')
    if operation == 'GetApplicationRevision':
        return WORLD.application_arn()
    return '*'


def authorize(headers, operation, resource):
    auth = headers.get('Authorization') or ''
    if not auth.startswith('AWS4-HMAC-SHA256 ') or 'Credential=' not in auth:
        raise ApiError(400, 'MissingAuthenticationTokenException', 'requests must be signed with SigV4')
    access_key = auth.split('Credential=')[1].split('/')[0]
    if access_key not in WORLD.policies:
        raise ApiError(400, 'UnrecognizedClientException', f'unknown access key {access_key}')
    action = f'codedeploy:{operation}'
    results = [IAMPolicy(json.dumps(p)).is_action_permitted(action, resource) for p in WORLD.policies[access_key]]
    if PermissionResult.DENIED in results or PermissionResult.PERMITTED not in results:
        raise ApiError(400, 'AccessDeniedException', f'{access_key} is not authorized to perform {action} on {resource}')
    return access_key


def serve(operation, values):
    if values.get('applicationName', WORLD.application) != WORLD.application:
        raise ApiError(400, 'ApplicationDoesNotExistException', f'No application found for name: {values["applicationName"]}')
    if operation == 'CreateDeployment':
        group = values['deploymentGroupName']
        if group not in WORLD.groups:
            raise ApiError(400, 'DeploymentGroupDoesNotExistException', f'No Deployment Group found for name: {group}')
        running = [d for d in WORLD.deployments.values() if d['deploymentGroupName'] == group and d['status'] in ('Created', 'InProgress')]
        if running:
            raise ApiError(400, 'DeploymentLimitExceededException', f'The Deployment Group {group} already has an active Deployment {running[0]["deploymentId"]}')
        deployment = new_deployment(group, values['revision'], values.get('description'), 'user', 'Created')
        deployment['mode'] = WORLD.mode
        return {'deploymentId': deployment['deploymentId']}
    if operation == 'GetDeployment':
        deployment = WORLD.deployments.get(values['deploymentId'])
        if not deployment:
            raise ApiError(400, 'DeploymentDoesNotExistException', f'The deployment {values["deploymentId"]} could not be found')
        result = info(deployment)
        if deployment['creator'] == 'user':
            advance(deployment)
        return {'deploymentInfo': result}
    if operation == 'StopDeployment':
        deployment = WORLD.deployments.get(values['deploymentId'])
        if not deployment:
            raise ApiError(400, 'DeploymentDoesNotExistException', f'The deployment {values["deploymentId"]} could not be found')
        if deployment['status'] not in ('Created', 'InProgress'):
            raise ApiError(400, 'DeploymentAlreadyCompletedException', f'The deployment {deployment["deploymentId"]} has already completed')
        deployment['status'] = 'Stopped'
        deployment['stopped'] = True
        deployment['completeTime'] = time.time()
        return {'status': 'Pending', 'statusMessage': 'Stopping Deployment'}
    if operation == 'GetDeploymentGroup':
        group = values['deploymentGroupName']
        if group not in WORLD.groups:
            raise ApiError(400, 'DeploymentGroupDoesNotExistException', f'No Deployment Group found for name: {group}')
        attempted, succeeded = last(group, False), last(group, True)
        out = {'applicationName': WORLD.application, 'deploymentGroupName': group}
        if attempted:
            out['lastAttemptedDeployment'] = summary(attempted)
            out['targetRevision'] = attempted['revision']
        if succeeded:
            out['lastSuccessfulDeployment'] = summary(succeeded)
        return {'deploymentGroupInfo': out}
    if operation == 'GetApplicationRevision':
        key = revision_key(values['revision'])
        if key not in WORLD.revisions:
            raise ApiError(400, 'RevisionDoesNotExistException', f'No application revision found for revision {key}')
        r = WORLD.revisions[key]
        return {'applicationName': WORLD.application, 'revision': values['revision'], 'revisionInfo': {
            'firstUsedTime': r['firstUsedTime'], 'lastUsedTime': r['lastUsedTime'], 'registerTime': r['registerTime'],
            'deploymentGroups': sorted(r['groups']),
        }}
    raise ApiError(400, 'UnknownOperationException', f'the stand-in does not serve {operation}')


def auto_scaling_integration():
    """CodeDeploy's Auto Scaling integration, as it looks from outside: revisions on launched instances, deregistration on scale-in."""
    while True:
        time.sleep(0.3)
        with WORLD.lock:
            if not WORLD.moto:
                continue
            for group in WORLD.groups:
                try:
                    in_service = set(in_service_instances(group))
                    registered = set(registered_targets(group))
                    left = registered - in_service
                    if left:
                        WORLD.moto['elbv2'].deregister_targets(TargetGroupArn=WORLD.groups[group]['targetGroupArn'], Targets=[{'Id': i} for i in left])
                    succeeded = last(group, True)
                    busy = any(d['deploymentGroupName'] == group and d['status'] in ('Created', 'InProgress') for d in WORLD.deployments.values())
                    launched = sorted(in_service - registered)
                    if launched and succeeded and not busy:
                        deployment = new_deployment(group, succeeded['revision'], 'Auto Scaling launched ' + ', '.join(launched), 'autoscaling', 'Succeeded')
                        deployment['completeTime'] = time.time()
                        deployment['instances'] = launched
                        register(group, launched)
                except Exception as e:  # a passing moto error: the next round tries again
                    print(f'auto scaling integration: {e}', file=sys.stderr)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body, default=lambda o: sorted(o) if isinstance(o, set) else str(o)).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/x-amz-json-1.1')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == '/_standin/state':
            with WORLD.lock:
                deployments = [dict(info(d), mode=d.get('mode'), stopped=d.get('stopped', False), instances=d.get('instances', [])) for d in WORLD.deployments.values()]
                fleets = {g: (revision_key(last(g, True)['revision']) if last(g, True) else '') for g in WORLD.groups}
                return self.reply(200, {'deployments': deployments, 'revisions': fleets, 'calls': WORLD.calls})
        return self.reply(404, {'message': 'no such hook'})

    def do_PUT(self):
        body = json.loads(self.rfile.read(int(self.headers.get('Content-Length') or 0)) or '{}')
        with WORLD.lock:
            if self.path == '/_standin/setup':
                WORLD.application, WORLD.account, WORLD.region = body['application'], body['account'], body['region']
                WORLD.groups = body['groups']
                moto = body['moto']
                session = boto3.session.Session(aws_access_key_id=moto['accessKey'], aws_secret_access_key=moto['secretKey'], region_name=WORLD.region)
                WORLD.moto = {name: session.client(name, endpoint_url=moto['endpoint']) for name in ('autoscaling', 'elbv2')}
            elif self.path == '/_standin/keys':
                WORLD.policies = body
            elif self.path == '/_standin/mode':
                WORLD.mode = body['mode']
            else:
                return self.reply(404, {'message': 'no such hook'})
        return self.reply(200, {})

    def do_POST(self):
        target = self.headers.get('X-Amz-Target') or ''
        operation = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else '?'
        access_key = None
        resource = '*'
        try:
            values = json.loads(self.rfile.read(int(self.headers.get('Content-Length') or 0)) or '{}')
            check_input(MODEL, operation, values)
            with WORLD.lock:
                resource = resource_of(operation, values)
                access_key = authorize(self.headers, operation, resource)
                result = serve(operation, values)
                WORLD.calls.append({'operation': operation, 'status': 200, 'accessKey': access_key, 'resource': resource})
            self.reply(200, result)
        except ApiError as e:
            with WORLD.lock:
                WORLD.calls.append({'operation': operation, 'status': e.status, 'accessKey': access_key, 'resource': resource, 'error': e.code, 'message': e.message})
            self.reply(e.status, {'__type': e.code, 'message': e.message})


def main():
    port = int(sys.argv[1])
    threading.Thread(target=auto_scaling_integration, daemon=True).start()
    ThreadingHTTPServer(('127.0.0.1', port), Handler).serve_forever()


if __name__ == '__main__':
    main()
