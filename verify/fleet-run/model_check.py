"""Requests checked against the service model the AWS CLI's botocore ships: the stand-ins of the fleet
release proof refuse what the real service would refuse for its shape (unknown members, missing
required ones, wrong types, lengths and ranges outside the model's limits, values outside an enum).

The KeyValueStore stand-in (verify/release-run/kvs_standin.py) has its own copy of the structure and
string checks; both could use this module.
"""
import json
import os

import awscli


class ApiError(Exception):
    """An error the service answers with: HTTP status, error code (`__type`) and message."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def load_model(service, version):
    """The service model (service-2.json) of `service` at API `version`, as the pinned CLI ships it."""
    base = os.path.join(os.path.dirname(awscli.__file__), 'botocore', 'data', service, version, 'service-2.json')
    with open(base) as f:
        return json.load(f)


def check_input(model, operation, value):
    """Checks the input of `operation` (a dict) against its shape; raises ApiError('ValidationException')."""
    if operation not in model['operations']:
        raise ApiError(400, 'UnknownOperationException', f'{operation} is not an operation of {model["metadata"]["serviceId"]}')
    shape = model['operations'][operation].get('input', {}).get('shape')
    if shape:
        _check(model['shapes'], operation, shape, value)


def _check(shapes, path, shape_name, value):
    shape = shapes[shape_name]
    kind = shape['type']
    if kind == 'structure':
        if not isinstance(value, dict):
            raise ApiError(400, 'ValidationException', f'{path} must be an object')
        unknown = sorted(set(value) - set(shape['members']))
        if unknown:
            raise ApiError(400, 'ValidationException', f'{path} has unknown members {unknown}')
        missing = [m for m in shape.get('required', []) if m not in value]
        if missing:
            raise ApiError(400, 'ValidationException', f'{path} lacks the required member(s) {missing}')
        for member, item in value.items():
            _check(shapes, f'{path}.{member}', shape['members'][member]['shape'], item)
        return
    if kind == 'list':
        if not isinstance(value, list):
            raise ApiError(400, 'ValidationException', f'{path} must be a list')
        for i, item in enumerate(value):
            _check(shapes, f'{path}[{i}]', shape['member']['shape'], item)
        _bounds(path, shape, len(value))
    elif kind == 'map':
        if not isinstance(value, dict):
            raise ApiError(400, 'ValidationException', f'{path} must be a map')
        for k, item in value.items():
            _check(shapes, f'{path}.{k}', shape['value']['shape'], item)
    elif kind == 'string':
        if not isinstance(value, str):
            raise ApiError(400, 'ValidationException', f'{path} must be a string')
        if 'enum' in shape and value not in shape['enum']:
            raise ApiError(400, 'ValidationException', f'{path} must be one of {shape["enum"]}, got {value!r}')
        _bounds(path, shape, len(value))
    elif kind in ('integer', 'long'):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ApiError(400, 'ValidationException', f'{path} must be an integer')
        _bounds(path, shape, value)
    elif kind == 'boolean' and not isinstance(value, bool):
        raise ApiError(400, 'ValidationException', f'{path} must be a boolean')


def _bounds(path, shape, count):
    if 'min' in shape and count < shape['min'] or 'max' in shape and count > shape['max']:
        raise ApiError(400, 'ValidationException', f'{path} is outside [{shape.get("min")}, {shape.get("max")}]: {count}')
