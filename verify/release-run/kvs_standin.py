"""A stand-in for the CloudFront KeyValueStore API, which moto does not serve.

Every request is checked against the service model that the AWS CLI's botocore ships
(cloudfront-keyvaluestore 2022-07-26): the operation is found by method and URI, each member is
read from where the model puts it (URI, header, query string, JSON body), and a missing required
member, an unknown body member, a value of the wrong type or outside its length or range limits
fails with the model's ValidationException. The request must be signed with SigV4A (as the real
endpoint requires) by a known access key, and moto's own IAM policy evaluator must allow the
action on the store for that key's policies. If-Match must name the store's current ETag: a write
naming another fails with the model's ConflictException (HTTP 409), as when another program wrote
in between. Requests are served one at a time, so each is atomic, as the service's are.

Reached through an HTTP proxy setting: the CLI sends the request to
http://<account>.<endpoint host>/..., the host the model's endpoint rules build from the ARN.

Usage: python kvs_standin.py <port> <kvs arn>; prints "ready" when it listens.
Test hooks under /_standin/: GET state (keys, etag, calls with the access key that signed each), PUT
state (keys), PUT keys (access key -> policy documents), PUT change-before ({"operation", "keys"}: another
program's write, made once just before the next call of that operation; a key whose value is null is deleted).
"""
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import awscli
from moto.iam.access_control import IAMPolicy, PermissionResult

MODEL_PATH = os.path.join(os.path.dirname(awscli.__file__), 'botocore', 'data', 'cloudfront-keyvaluestore', '2022-07-26', 'service-2.json')
MODEL = json.load(open(MODEL_PATH))
SHAPES = MODEL['shapes']


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Store:
    def __init__(self, arn):
        self.arn = arn
        self.keys = {}
        self.etag = uuid.uuid4().hex
        self.created = time.time()
        self.calls = []
        self.policies = {}
        self.lock = threading.Lock()
        self.change_before = None

    def size(self):
        return sum(len(k.encode()) + len(v.encode()) for k, v in self.keys.items())

    def summary(self):
        return {'ItemCount': len(self.keys), 'TotalSizeInBytes': self.size()}

    def changed(self):
        self.etag = uuid.uuid4().hex


def find_operation(method, segments):
    for name, op in MODEL['operations'].items():
        template = op['http']['requestUri'].strip('/').split('/')
        if op['http']['method'] != method or len(template) != len(segments):
            continue
        params = {}
        for want, got in zip(template, segments):
            if want.startswith('{'):
                params[want.strip('{}+')] = got
            elif want != got:
                break
        else:
            return name, op, params
    raise ApiError(404, 'UnknownOperationException', f'no operation of the model is {method} /{"/".join(segments)}')


def check_value(path, shape_name, value):
    shape = SHAPES[shape_name]
    kind = shape['type']
    if kind == 'structure':
        if not isinstance(value, dict):
            raise ApiError(400, 'ValidationException', f'{path} must be an object')
        unknown = set(value) - set(shape['members'])
        if unknown:
            raise ApiError(400, 'ValidationException', f'{path} has unknown members {sorted(unknown)}')
        for required in shape.get('required', []):
            if required not in value:
                raise ApiError(400, 'ValidationException', f'{path}.{required} is required')
        for member, v in value.items():
            check_value(f'{path}.{member}', shape['members'][member]['shape'], v)
        return
    if kind == 'list':
        if not isinstance(value, list):
            raise ApiError(400, 'ValidationException', f'{path} must be a list')
        count = len(value)
        for i, item in enumerate(value):
            check_value(f'{path}[{i}]', shape['member']['shape'], item)
    elif kind == 'string':
        if not isinstance(value, str):
            raise ApiError(400, 'ValidationException', f'{path} must be a string')
        count = len(value)
    elif kind in ('integer', 'long'):
        if isinstance(value, str) and value.lstrip('-').isdigit():
            value = int(value)
        if not isinstance(value, int):
            raise ApiError(400, 'ValidationException', f'{path} must be an integer')
        count = value
    else:
        return
    if 'min' in shape and count < shape['min'] or 'max' in shape and count > shape['max']:
        raise ApiError(400, 'ValidationException', f'{path} is outside [{shape.get("min")}, {shape.get("max")}]: {count}')


def read_input(op, params, headers, query, body):
    shape = SHAPES[op['input']['shape']]
    values, body_members = {}, {}
    for member, spec in shape['members'].items():
        location, name = spec.get('location'), spec.get('locationName', member)
        if location == 'uri':
            if name in params:
                values[member] = unquote(params[name])
        elif location == 'header':
            if headers.get(name) is not None:
                values[member] = headers.get(name)
        elif location == 'querystring':
            if name in query:
                values[member] = query[name][0]
        else:
            body_members[member] = spec
    document = json.loads(body) if body else {}
    unknown = set(document) - set(body_members)
    if unknown:
        raise ApiError(400, 'ValidationException', f'unknown body members {sorted(unknown)}')
    values.update(document)
    check_value(op['input']['shape'], op['input']['shape'], values)
    return values


def authorize(store, headers, operation):
    auth = headers.get('Authorization') or ''
    if not auth.startswith('AWS4-ECDSA-P256-SHA256 ') or headers.get('X-Amz-Region-Set') is None:
        raise ApiError(403, 'AccessDeniedException', f'requests must be signed with SigV4A (got "{auth.split(" ")[0]}")')
    access_key = auth.split('Credential=')[1].split('/')[0]
    if access_key not in store.policies:
        raise ApiError(403, 'AccessDeniedException', f'unknown access key {access_key}')
    action = f'cloudfront-keyvaluestore:{operation}'
    results = [IAMPolicy(json.dumps(p)).is_action_permitted(action, store.arn) for p in store.policies[access_key]]
    if PermissionResult.DENIED in results or PermissionResult.PERMITTED not in results:
        raise ApiError(403, 'AccessDeniedException', f'{access_key} is not authorized to perform {action} on {store.arn}')


def serve(store, method, operation, values):
    if values['KvsARN'] != store.arn:
        raise ApiError(404, 'ResourceNotFoundException', f'no store {values["KvsARN"]}')
    if store.change_before and store.change_before['operation'] == operation:
        for key, value in store.change_before['keys'].items():
            if value is None:
                store.keys.pop(key, None)
            else:
                store.keys[key] = value
        store.change_before = None
        store.changed()
    if 'IfMatch' in values and values['IfMatch'] != store.etag:
        raise ApiError(409, 'ConflictException', f'If-Match {values["IfMatch"]} is not the current ETag {store.etag}')
    headers = {}
    if operation == 'DescribeKeyValueStore':
        body = dict(store.summary(), KvsARN=store.arn, Created=store.created, Status='READY')
        headers['ETag'] = store.etag
    elif operation == 'GetKey':
        if values['Key'] not in store.keys:
            raise ApiError(404, 'ResourceNotFoundException', f'no key {values["Key"]}')
        body = dict(store.summary(), Key=values['Key'], Value=store.keys[values['Key']])
    elif operation == 'ListKeys':
        body = {'Items': [{'Key': k, 'Value': v} for k, v in sorted(store.keys.items())]}
    elif operation in ('PutKey', 'DeleteKey', 'UpdateKeys'):
        if operation == 'PutKey':
            store.keys[values['Key']] = values['Value']
        elif operation == 'DeleteKey':
            store.keys.pop(values['Key'], None)
        else:
            for put in values.get('Puts', []):
                store.keys[put['Key']] = put['Value']
            for delete in values.get('Deletes', []):
                store.keys.pop(delete['Key'], None)
        store.changed()
        body = store.summary()
        headers['ETag'] = store.etag
    return body, headers


def handler_for(store):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, status, body, headers=None):
            data = json.dumps(body).encode()
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def handle_any(self):
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
            if url.path.startswith('/_standin/'):
                return self.test_hook(url.path[len('/_standin/'):], body)
            segments = url.path.strip('/').split('/')
            operation = '?'
            auth = self.headers.get('Authorization') or ''
            access_key = auth.split('Credential=')[1].split('/')[0] if 'Credential=' in auth else None
            try:
                operation, op, params = find_operation(self.command, segments)
                account = store.arn.split(':')[4]
                host = url.hostname or self.headers.get('Host', '')
                if not host.startswith(account + '.'):
                    raise ApiError(400, 'ValidationException', f'host {host} is not the endpoint of account {account}')
                authorize(store, self.headers, operation)
                values = read_input(op, params, self.headers, parse_qs(url.query), body)
                with store.lock:
                    result, headers = serve(store, self.command, operation, values)
                store.calls.append({'operation': operation, 'status': 200, 'accessKey': access_key})
                self.reply(200, result, headers)
            except ApiError as e:
                store.calls.append({'operation': operation, 'status': e.status, 'accessKey': access_key, 'error': e.code, 'message': e.message})
                self.reply(e.status, {'message': e.message}, {'x-amzn-ErrorType': e.code})

        def test_hook(self, name, body):
            if name == 'state' and self.command == 'GET':
                return self.reply(200, {'keys': store.keys, 'etag': store.etag, 'calls': store.calls})
            if name == 'state' and self.command == 'PUT':
                store.keys = json.loads(body)
                store.changed()
                return self.reply(200, {})
            if name == 'keys' and self.command == 'PUT':
                store.policies = json.loads(body)
                return self.reply(200, {})
            if name == 'change-before' and self.command == 'PUT':
                store.change_before = json.loads(body)
                return self.reply(200, {})
            return self.reply(404, {'message': f'no hook {self.command} {name}'})

        do_GET = do_PUT = do_POST = do_DELETE = handle_any

    return Handler


def main():
    port, arn = int(sys.argv[1]), sys.argv[2]
    server = ThreadingHTTPServer(('127.0.0.1', port), handler_for(Store(arn)))
    print('ready', flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
