/** The about page, loaded on first visit (its own chunk): `{ title, body }` of the page. */
export function render() {
  return {
    title: 'About',
    body: 'Every push to the repository builds, tests and publishes this site.',
  };
}
