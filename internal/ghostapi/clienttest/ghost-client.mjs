// Runs Ghost's own Content API client (@tryghost/content-api, as Ghost front
// ends and static-site builders use it) against a masthead server and
// prints what it got as one JSON object, for internal/ghostapi's Go test to
// compare with masthead's own JSON API.
//
//   node ghost-client.mjs BASE_URL CONTENT_KEY SLUG AUTHOR_SLUG
import GhostContentAPI from '@tryghost/content-api';

const [url, key, slug, authorSlug] = process.argv.slice(2);
if (!url || !key || !slug || !authorSlug) {
  console.error('usage: node ghost-client.mjs BASE_URL CONTENT_KEY SLUG AUTHOR_SLUG');
  process.exit(2);
}

// A browse answer is an array with a meta property: keep both.
const list = (arr) => ({items: [...arr], meta: arr.meta});

const api = new GhostContentAPI({url, key, version: 'v5.0'});
// Errors reach the caller as Ghost's: a thrown Error with its type.
const errOf = async (p) => {
  try {
    await p;
    return null;
  } catch (e) {
    return {name: e.name, message: e.message, type: e.type, status: e.response && e.response.status};
  }
};
const out = {};

out.filtered = list(await api.posts.browse({
  filter: "tag:north-korea+published_at:>'2020-01-01 00:00:00'",
  include: 'authors,tags',
  limit: 'all',
  order: 'published_at desc',
}));
out.either = list(await api.posts.browse({filter: 'author:' + authorSlug + ',tag:economy', limit: 'all', fields: 'id,slug'}));
out.featured = list(await api.posts.browse({filter: 'featured:true', limit: 'all', fields: 'id,featured'}));
out.page2 = list(await api.posts.browse({limit: 3, page: 2, fields: 'id,title', formats: 'plaintext'}));
out.bySlug = await api.posts.read({slug}, {include: 'authors,tags', formats: 'html,plaintext'});
out.byID = await api.posts.read({id: out.bySlug.id});
out.pages = list(await api.pages.browse({limit: 'all', formats: 'html,plaintext'}));
out.pagesFiltered = list(await api.pages.browse({filter: 'slug:[about,ethics]', fields: 'id,slug,title'}));
out.pageBySlug = await api.pages.read({slug: 'about'}, {formats: 'html'});
out.pageByID = await api.pages.read({id: out.pageBySlug.id});
out.pageDraft = await errOf(api.pages.read({slug: 'ethics'}));
out.tags = list(await api.tags.browse({include: 'count.posts', limit: 'all'}));
out.tag = await api.tags.read({slug: 'north-korea'}, {include: 'count.posts'});
out.authors = list(await api.authors.browse({include: 'count.posts', limit: 'all'}));
out.author = await api.authors.read({slug: authorSlug}, {include: 'count.posts'});
out.settings = await api.settings.browse();

// Clients set to an older version look under /ghost/api/v3/content/ and
// /ghost/api/v4/content/.
for (const version of ['v3', 'v4']) {
  const old = new GhostContentAPI({url, key, version});
  out[version] = list(await old.posts.browse({limit: 2, fields: 'id'}));
}

out.unknownKey = await errOf(new GhostContentAPI({url, key: '0123456789abcdef0123456789', version: 'v5.0'}).posts.browse());
out.notFound = await errOf(api.posts.read({slug: 'no-such-story'}));
out.badFilter = await errOf(api.posts.browse({filter: 'tag:(news'}));

console.log(JSON.stringify(out));
