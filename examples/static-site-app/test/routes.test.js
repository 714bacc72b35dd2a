// Route matching and page text, without a browser: both are plain functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRoute } from '../src/routes.js';
import * as user from '../src/views/user.js';
import * as notFound from '../src/views/not-found.js';

test('the root path shows the home view', () => {
  assert.deepEqual(matchRoute('/'), { view: 'home', params: {} });
});

test('a trailing slash shows the same view', () => {
  assert.equal(matchRoute('/about/').view, 'about');
});

test('a user path hands the decoded id to the user view', () => {
  assert.deepEqual(matchRoute('/users/jane%20doe'), { view: 'user', params: { id: 'jane doe' } });
});

test('a malformed percent-encoding is kept as typed', () => {
  assert.deepEqual(matchRoute('/users/%E0'), { view: 'user', params: { id: '%E0' } });
});

test('unknown paths, and known ones with extra segments, show the not-found view', () => {
  for (const path of ['/nope', '/about/team', '/users', '/users/1/edit']) {
    assert.deepEqual(matchRoute(path), { view: 'notFound', params: { path } }, path);
  }
});

test('the user page is titled with the id', () => {
  assert.equal(user.render({ id: '42' }).title, 'User 42');
});

test('the not-found page names the path', () => {
  assert.equal(notFound.render({ path: '/nope' }).title, 'Not found');
  assert.match(notFound.render({ path: '/nope' }).body, /\/nope/);
});
