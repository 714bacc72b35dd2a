import './style.css';
import { matchRoute } from './routes.js';
import * as home from './views/home.js';
import * as notFound from './views/not-found.js';

// About and user pages are loaded when first shown, so the first page downloads less.
const VIEWS = {
  home: async () => home,
  about: () => import('./views/about.js'),
  user: () => import('./views/user.js'),
  notFound: async () => notFound,
};

// Counts navigations, so a slow lazy view never overwrites the page of a later navigation.
let navigation = 0;

/** Shows the page of the current URL. */
async function render() {
  const current = ++navigation;
  const { view, params } = matchRoute(window.location.pathname);
  const page = (await VIEWS[view]()).render(params);
  if (current !== navigation) return;
  document.title = `${page.title} · Example site`;
  document.getElementById('title').textContent = page.title;
  document.getElementById('content').textContent = page.body;
}

/** Follows a `data-link` link in the page without reloading it; other clicks are left to the browser. */
function followLink(event) {
  const link = event.target.closest('a[data-link]');
  if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  if (link.pathname !== window.location.pathname) window.history.pushState(null, '', link.href);
  void render();
}

document.addEventListener('click', followLink);
window.addEventListener('popstate', () => void render());
void render();
