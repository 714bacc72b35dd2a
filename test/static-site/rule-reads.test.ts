import { EdgeSite, RELEASE } from './edge-site';

/*
 * The KeyValueStore reads of each request, by kind of rule, beyond the read of `live` (the README
 * states these numbers): a request no rule matches costs one read when its first path segment has
 * neither exact rules nor patterns, and the viewer-response function reads nothing for a release
 * without `_headers`.
 */

const FILES = ['index.html', 'docs/index.html', 'docs/guide/index.html', 'app.js', 'blog/index.html'];
const R = RELEASE;

describe('store reads per request, by kind of rule', () => {
  test('a release without rules: its table\'s index only, and no read in the response', async () => {
    const site = new EdgeSite({ files: FILES });
    await site.get('/docs/guide');
    expect(site.reads).toEqual({ request: ['live', `${R}*`], response: [] });
  });

  test('exact rules: the index, then the path\'s record when its first segment has records', async () => {
    const site = new EdgeSite({ files: FILES, redirects: '/old/page /new' });
    const shared = site.shared('*');
    const hit = await site.get('/old/page');
    expect([hit.status, site.reads.request]).toEqual([301, ['live', `${R}*`, `${shared}/old/page`]]);
    await site.get('/old/other');
    expect(site.reads.request).toEqual(['live', `${R}*`, `${shared}/old/other`]);
    await site.get('/docs/guide');
    expect(site.reads.request).toEqual(['live', `${R}*`]);
  });

  test('patterns of a first segment: the index, then the segment\'s table', async () => {
    const site = new EdgeSite({ files: FILES, redirects: '/news/* /blog/:splat 301!' });
    const hit = await site.get('/news/2024/story');
    expect([hit.status, site.reads.request]).toEqual([301, ['live', `${R}*`, `${site.shared('*')}*news`]]);
    await site.get('/docs/guide');
    expect(site.reads.request).toEqual(['live', `${R}*`]);
  });

  test('patterns without a literal first segment are in the index: one read', async () => {
    const site = new EdgeSite({ files: FILES, redirects: '/:lang/legacy/* /:lang/:splat 301!' });
    const hit = await site.get('/fr/legacy/a');
    expect([hit.status, hit.location, site.reads.request]).toEqual([301, '/fr/a', ['live', `${R}*`]]);
  });

  test('a pattern without ! also reads the path\'s record, which says whether a file answers it', async () => {
    const site = new EdgeSite({ files: FILES, redirects: '/* /index.html 200' });
    const file = await site.get('/docs/guide');
    expect([file.file, site.reads.request]).toEqual(['docs/guide/index.html', ['live', `${R}*`, `${site.shared('*')}/docs/guide`]]);
    const route = await site.get('/some/route');
    expect([route.file, site.reads.request]).toEqual(['index.html', ['live', `${R}*`]]);
  });

  test('_headers: the response reads the headers table\'s index, then the segment\'s table when it has one', async () => {
    const site = new EdgeSite({ files: FILES, headers: '/*\n  X-Robots-Tag: all\n/docs/*\n  X-Section: docs' });
    const docs = await site.get('/docs/guide');
    expect([docs.headers['x-section'], site.reads.response]).toEqual(['docs', [`${R}#`, `${site.shared('#')}#docs`]]);
    await site.get('/app.js');
    expect(site.reads.response).toEqual([`${R}#`]);
  });
});
