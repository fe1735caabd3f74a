// The development GraphQL explorer: its page and every file it loads come from this service, so it
// works offline; production serves none of it (as it serves no introspection).
import { getIntrospectionQuery } from 'graphql';
import { TestApp } from './support/harness';

const origin = (t: TestApp) => new URL(t.url).origin;

/** Every URL the page refers to (src, href), resolved against the page. */
function references(html: string, base: string): URL[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => new URL(m[1], base));
}

describe('GraphQL explorer', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it.each([
    ['/explorer', {}],
    ['/graphql', { accept: 'text/html' }],
  ])('GET %s in a browser serves GraphiQL with only local files', async (path, headers) => {
    const res = await fetch(origin(t) + path, { headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('graphiql');
    // No address outside the page's own origin: no CDN, no Apollo sandbox.
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/["'(]\/\//);
    const refs = references(html, res.url);
    expect(refs.length).toBeGreaterThanOrEqual(6);
    for (const ref of refs) {
      expect(ref.origin).toBe(origin(t));
      const asset = await fetch(ref);
      const body = await asset.text();
      expect([ref.pathname, asset.status]).toEqual([ref.pathname, 200]);
      expect(asset.headers.get('content-type')).toMatch(ref.pathname.endsWith('.css') ? /text\/css/ : /javascript/);
      expect(body.length).toBeGreaterThan(ref.pathname.includes('/assets/') ? 10_000 : 50);
    }
    // The bundle really is GraphiQL (with React as a global beside it).
    const bundle = await (await fetch(`${origin(t)}/explorer/assets/graphiql.js`)).text();
    expect(bundle).toContain('GraphiQL');
  });

  it('answers the introspection query GraphiQL sends for its docs and completion', async () => {
    const query = getIntrospectionQuery({ inputValueDeprecation: true, schemaDescription: true });
    const res = await t.post({ query, operationName: 'IntrospectionQuery' });
    const body = (await res.json()) as { data?: { __schema: { types: { name: string }[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.__schema.types.map((type) => type.name)).toContain('Order');
  });

  it('serves the page with a content policy that keeps scripts and connections on this origin', async () => {
    const res = await fetch(`${origin(t)}/explorer`);
    const policy = res.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
  });

  it('reaches nothing in node_modules but its four files', async () => {
    for (const name of ['package.json', 'constructor', '..%2Fpackage.json', '%2e%2e%2f%2e%2e%2fpackage.json']) {
      const res = await fetch(`${origin(t)}/explorer/assets/${name}`);
      expect([name, res.status]).toEqual([name, 404]);
    }
  });

  it('is not served with NODE_ENV=production', async () => {
    const prod = await TestApp.start({ NODE_ENV: 'production', ADMIN_PASSWORD: 'not-the-default' });
    try {
      expect((await fetch(`${origin(prod)}/explorer`)).status).toBe(404);
      expect((await fetch(`${origin(prod)}/explorer/assets/graphiql.js`)).status).toBe(404);
      const landing = await fetch(prod.url, { headers: { accept: 'text/html' } });
      expect(await landing.text()).not.toContain('graphiql');
    } finally {
      await prod.close();
    }
  });
});
