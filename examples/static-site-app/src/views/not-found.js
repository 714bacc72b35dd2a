/** The page of a path no route matches: `{ title, body }` of the page. */
export function render(params) {
  return {
    title: 'Not found',
    body: `There is no page at ${params.path}.`,
  };
}
