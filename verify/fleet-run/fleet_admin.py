"""What the fleet release proof asks of moto_server as an administrator, one JSON command on stdin:

- setup: one IAM user per role (its only policies the role's) and an administrator the stand-ins
  sign with; the fleets' world as the template describes it, under the names the template resolves
  to: a VPC and subnets, the load balancer, one target group per fleet, the listener forwarding to
  blue's (the template's default action), a launch template, one empty Auto Scaling group per fleet
  (minimum 0, no desired capacity), and the fleets' alarms. Returns the users' keys and what moto
  named (ARNs with moto's ids).
- state: where traffic goes (the listener's rules), each group's sizes and scheduled actions.
- scale-in: what the scheduled scale-in does when the rollback window has passed: a group to 0.
- alarm: sets an alarm's state.
- target-5xx: the HTTPCode_Target_5XX_Count of a target group in the last ten minutes, as CloudWatch sums it.

Run while moto does not enforce IAM (the proof turns enforcement off around it).
"""
import datetime
import json
import sys

import boto3

ADMIN = 'Administrator'


def main():
    command = json.load(sys.stdin)
    session = boto3.session.Session(aws_access_key_id='admin', aws_secret_access_key='admin', region_name=command['region'])
    client = lambda name: session.client(name, endpoint_url=command['endpoint'])  # noqa: E731
    kind = command['kind']
    if kind == 'setup':
        print(json.dumps(setup(client, command)))
    elif kind == 'state':
        print(json.dumps(state(client, command), default=str))
    elif kind == 'scale-in':
        client('autoscaling').update_auto_scaling_group(AutoScalingGroupName=command['group'], MinSize=0, DesiredCapacity=0)
        client('autoscaling').delete_scheduled_action(AutoScalingGroupName=command['group'], ScheduledActionName=command['action'])
        print('{}')
    elif kind == 'target-5xx':
        print(json.dumps({'sum': target_5xx(client, command)}))
    elif kind == 'alarm':
        client('cloudwatch').set_alarm_state(AlarmName=command['alarm'], StateValue=command['state'], StateReason='set by the proof')
        print('{}')


def setup(client, command):
    iam = client('iam')
    keys = {}
    for role, documents in dict(command['roles'], **{ADMIN: [{'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*'}]}]}).items():
        iam.create_user(UserName=role)
        for i, document in enumerate(documents):
            iam.put_user_policy(UserName=role, PolicyName=f'policy{i}', PolicyDocument=json.dumps(document))
        key = iam.create_access_key(UserName=role)['AccessKey']
        keys[role] = {'AccessKeyId': key['AccessKeyId'], 'SecretAccessKey': key['SecretAccessKey']}

    world = command['world']
    ec2 = client('ec2')
    vpc = ec2.create_vpc(CidrBlock='10.0.0.0/16')['Vpc']['VpcId']
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f'10.0.{i}.0/24', AvailabilityZone=f'{command["region"]}{zone}')['Subnet']['SubnetId']
               for i, zone in enumerate('ab')]
    elbv2 = client('elbv2')
    load_balancer = elbv2.create_load_balancer(Name=world['loadBalancer'], Subnets=subnets, Scheme='internet-facing', Type='application')['LoadBalancers'][0]
    target_groups = {}
    for fleet, f in world['fleets'].items():
        group = elbv2.create_target_group(Name=f['targetGroup'], Protocol='HTTP', Port=8080, VpcId=vpc, TargetType='instance',
                                          HealthCheckPath=world['healthCheckPath'])['TargetGroups'][0]
        target_groups[fleet] = group['TargetGroupArn']
    listener = elbv2.create_listener(LoadBalancerArn=load_balancer['LoadBalancerArn'], Protocol='HTTP', Port=80,
                                     DefaultActions=[{'Type': 'forward', 'TargetGroupArn': target_groups['blue']}])['Listeners'][0]
    image = ec2.describe_images()['Images'][0]['ImageId']
    template = ec2.create_launch_template(LaunchTemplateName='fleet', LaunchTemplateData={'ImageId': image, 'InstanceType': 't3.micro'})
    autoscaling = client('autoscaling')
    for f in world['fleets'].values():
        autoscaling.create_auto_scaling_group(AutoScalingGroupName=f['autoScalingGroup'], MinSize=0, MaxSize=world['maxSize'],
                                              LaunchTemplate={'LaunchTemplateId': template['LaunchTemplate']['LaunchTemplateId']},
                                              VPCZoneIdentifier=','.join(subnets))
    cloudwatch = client('cloudwatch')
    for alarm in world['alarms']:
        cloudwatch.put_metric_alarm(AlarmName=alarm, Namespace='AWS/ApplicationELB', MetricName='HTTPCode_Target_5XX_Count',
                                    Statistic='Sum', Period=60, EvaluationPeriods=1, Threshold=5, ComparisonOperator='GreaterThanOrEqualToThreshold')
    groups = elbv2.describe_target_groups(TargetGroupArns=list(target_groups.values()))['TargetGroups']
    full_name = lambda arn: arn.split(':', 5)[5]  # noqa: E731 (targetgroup/<name>/<id>)
    return {
        'keys': keys,
        'listenerArn': listener['ListenerArn'],
        'loadBalancerFullName': load_balancer['LoadBalancerArn'].split(':loadbalancer/')[1],
        'targetGroups': {fleet: {'arn': arn, 'fullName': full_name(arn)} for fleet, arn in target_groups.items()},
        'targetGroupCount': len(groups),
    }


def state(client, command):
    rules = client('elbv2').describe_rules(ListenerArn=command['listenerArn'])['Rules']
    autoscaling = client('autoscaling')
    groups = {}
    for name in command['groups']:
        group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])['AutoScalingGroups'][0]
        actions = autoscaling.describe_scheduled_actions(AutoScalingGroupName=name)['ScheduledUpdateGroupActions']
        groups[name] = {
            'min': group['MinSize'], 'max': group['MaxSize'], 'desired': group['DesiredCapacity'],
            'inService': len([i for i in group.get('Instances', []) if i['LifecycleState'] == 'InService']),
            'scheduled': [{'name': a['ScheduledActionName'], 'start': a.get('StartTime'), 'min': a.get('MinSize'), 'desired': a.get('DesiredCapacity')} for a in actions],
        }
    return {'rules': rules, 'groups': groups}


def target_5xx(client, command):
    end = datetime.datetime.now(datetime.timezone.utc)
    data = client('cloudwatch').get_metric_statistics(
        Namespace='AWS/ApplicationELB', MetricName='HTTPCode_Target_5XX_Count', Statistics=['Sum'], Period=60,
        Dimensions=[{'Name': 'LoadBalancer', 'Value': command['loadBalancer']}, {'Name': 'TargetGroup', 'Value': command['targetGroup']}],
        StartTime=end - datetime.timedelta(minutes=10), EndTime=end)
    return sum(point['Sum'] for point in data['Datapoints'])


if __name__ == '__main__':
    main()
