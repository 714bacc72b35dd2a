"""A stand-in for the Application Load Balancer of a blue/green fleet: moto keeps the listener and its
rules, but passes no traffic. This HTTP server routes each request as the listener's rules in moto say,
read at the time of the request: rules by priority (the default rule last), `path-pattern` and
`http-header` conditions (case-insensitive header names and values, `*` and `?` wildcards), and
forward actions to one target group or to several by weight. The target group's fleet answers as the
revision CodeDeploy installed on it (the CodeDeploy stand-in's state) behaves, or 503 when the target
group has no healthy target. Like the real load balancer, it publishes each target group's
RequestCount and HTTPCode_Target_5XX_Count to CloudWatch (moto), per minute.

How a revision behaves is told by its key: `badcheck` answers 500 on `/` (a check through the load
balancer fails), `bad5xx` answers 500 on `/api/` paths (it passes the check, and fails users),
anything else answers 200.

Usage: python lb_standin.py <port>; PUT /_standin/setup ({listenerArn, loadBalancerFullName,
targetGroups: {arn: {fullName, deploymentGroup}}, codeDeployState: url, moto: {endpoint, accessKey,
secretKey, region}}), GET and DELETE /_standin/served.
"""
import datetime
import fnmatch
import json
import random
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import boto3

STATE = {'setup': None, 'served': [], 'counts': {}, 'lock': threading.Lock()}


def matches(pattern, value, case_sensitive):
    """ALB condition wildcards: `*` any characters, `?` one."""
    if not case_sensitive:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern)


def condition_holds(condition, path, headers):
    field = condition.get('Field')
    if field == 'path-pattern':
        values = condition.get('PathPatternConfig', {}).get('Values') or condition.get('Values', [])
        return any(matches(v, path, True) for v in values)
    if field == 'http-header':
        config = condition['HttpHeaderConfig']
        value = headers.get(config['HttpHeaderName'].lower())
        return value is not None and any(matches(v, value, False) for v in config['Values'])
    raise ValueError(f'the stand-in does not evaluate {field} conditions')


def target_group_of(action):
    """The target group a forward action sends this request to, by weight; None when every weight is 0."""
    config = action.get('ForwardConfig')
    if not config:
        return action['TargetGroupArn']
    groups = config['TargetGroups']
    weights = [g.get('Weight', 1) for g in groups]
    if sum(weights) == 0:
        return None
    return random.choices([g['TargetGroupArn'] for g in groups], weights=weights)[0]


def behaviour(revision, path):
    if 'badcheck' in revision and path == '/':
        return 500
    if 'bad5xx' in revision and path.startswith('/api/'):
        return 500
    return 200


def route(path, headers):
    setup = STATE['setup']
    elbv2 = setup['clients']['elbv2']
    rules = elbv2.describe_rules(ListenerArn=setup['listenerArn'])['Rules']
    ordered = sorted(rules, key=lambda r: float('inf') if r['IsDefault'] else int(r['Priority']))
    rule = next(r for r in ordered if r['IsDefault'] or all(condition_holds(c, path, headers) for c in r.get('Conditions', [])))
    action = next(a for a in rule['Actions'] if a['Type'] == 'forward')
    arn = target_group_of(action)
    if arn is None:
        return 503, None, rule
    health = elbv2.describe_target_health(TargetGroupArn=arn)['TargetHealthDescriptions']
    if not any(t['TargetHealth']['State'] == 'healthy' for t in health):
        return 503, arn, rule
    with urllib.request.urlopen(setup['codeDeployState']) as response:
        revisions = json.load(response)['revisions']
    revision = revisions.get(setup['targetGroups'][arn]['deploymentGroup'], '')
    return behaviour(revision, path), arn, rule


def count(arn, status):
    minute = int(time.time() // 60 * 60)
    with STATE['lock']:
        entry = STATE['counts'].setdefault((arn, minute), {'requests': 0, 'errors': 0})
        entry['requests'] += 1
        entry['errors'] += 1 if status >= 500 else 0


def publish_metrics():
    """Every second, the counts since the last publication, as datapoints of their minute (CloudWatch sums them)."""
    while True:
        time.sleep(1)
        setup = STATE['setup']
        if not setup:
            continue
        with STATE['lock']:
            counts, STATE['counts'] = STATE['counts'], {}
        for (arn, minute), entry in counts.items():
            dimensions = [
                {'Name': 'LoadBalancer', 'Value': setup['loadBalancerFullName']},
                {'Name': 'TargetGroup', 'Value': setup['targetGroups'][arn]['fullName']},
            ]
            stamp = datetime.datetime.fromtimestamp(minute, datetime.timezone.utc)
            try:
                setup['clients']['cloudwatch'].put_metric_data(Namespace='AWS/ApplicationELB', MetricData=[
                    {'MetricName': 'RequestCount', 'Dimensions': dimensions, 'Timestamp': stamp, 'Value': entry['requests'], 'Unit': 'Count'},
                    {'MetricName': 'HTTPCode_Target_5XX_Count', 'Dimensions': dimensions, 'Timestamp': stamp, 'Value': entry['errors'], 'Unit': 'Count'},
                ])
            except Exception as e:
                print(f'publishing metrics: {e}', file=sys.stderr)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type='application/json'):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        body = json.loads(self.rfile.read(int(self.headers.get('Content-Length') or 0)) or '{}')
        if self.path != '/_standin/setup':
            return self.reply(404, {'message': 'no such hook'})
        moto = body['moto']
        session = boto3.session.Session(aws_access_key_id=moto['accessKey'], aws_secret_access_key=moto['secretKey'], region_name=moto['region'])
        body['clients'] = {name: session.client(name, endpoint_url=moto['endpoint']) for name in ('elbv2', 'cloudwatch')}
        STATE['setup'] = body
        return self.reply(200, {})

    def do_DELETE(self):
        if self.path == '/_standin/served':
            STATE['served'] = []
            return self.reply(200, {})
        return self.reply(404, {'message': 'no such hook'})

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == '/_standin/served':
            return self.reply(200, STATE['served'])
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, arn, rule = route(path, {k: v for k, v in headers.items()})
        except Exception as e:
            return self.reply(500, f'stand-in error: {e}', 'text/plain')
        if arn:
            count(arn, status)
        fleet = STATE['setup']['targetGroups'][arn]['fleet'] if arn else None
        STATE['served'].append({'path': path, 'checked': 'x-release-check' in headers, 'fleet': fleet, 'status': status,
                                'rule': 'default' if rule['IsDefault'] else rule['Priority']})
        return self.reply(status, {'fleet': fleet, 'status': status})


def main():
    port = int(sys.argv[1])
    threading.Thread(target=publish_metrics, daemon=True).start()
    ThreadingHTTPServer(('127.0.0.1', port), Handler).serve_forever()


if __name__ == '__main__':
    main()
