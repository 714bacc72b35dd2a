/**
 * The routes of the app, tried in order. A `:name` segment matches any one path segment and
 * hands it to the view as `params.name`.
 */
export const ROUTES = [
  { pattern: '/', view: 'home' },
  { pattern: '/about', view: 'about' },
  { pattern: '/users/:id', view: 'user' },
];

/**
 * Returns the view a path shows and its parameters: `{ view, params }`. A path no route matches
 * shows the `notFound` view, with the path as `params.path`.
 */
export function matchRoute(pathname) {
  const segments = splitPath(pathname);
  for (const route of ROUTES) {
    const params = matchSegments(splitPath(route.pattern), segments);
    if (params) return { view: route.view, params };
  }
  return { view: 'notFound', params: { path: pathname } };
}

/** Returns the non-empty segments of a path, so '/about/' and '/about' are the same page. */
function splitPath(pathname) {
  return pathname.split('/').filter((segment) => segment !== '');
}

/** Returns the parameters when the path's segments fit the pattern's, otherwise null. */
function matchSegments(pattern, segments) {
  if (pattern.length !== segments.length) return null;
  const params = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) {
      params[pattern[i].slice(1)] = decodeSegment(segments[i]);
    } else if (pattern[i] !== segments[i]) {
      return null;
    }
  }
  return params;
}

/** Decodes a percent-encoded segment; a malformed one is kept as typed rather than failing the page. */
function decodeSegment(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
