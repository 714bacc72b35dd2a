/** The page of one user, loaded on first visit (its own chunk): `{ title, body }` of the page. */
export function render(params) {
  return {
    title: `User ${params.id}`,
    body: `The profile of user ${params.id}.`,
  };
}
