/** The front page: `{ title, body }` of the page. */
export function render() {
  return {
    title: 'Home',
    body: 'Built by Vite in CodeBuild and served from S3 through CloudFront.',
  };
}
