// The pickup console's files as the service serves them (the browser journey is in test/build/console.test.ts).
import { TestApp } from './support/harness';

const consoleUrl = (t: TestApp, path = '') => t.url.replace(/\/graphql$/, `/console${path}`);

describe('/console', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('redirects to /console/ and serves the page, its script and its styles with a strict content policy', async () => {
    const bare = await fetch(consoleUrl(t), { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/console/');
    const page = await fetch(consoleUrl(t, '/'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await page.text()).toContain('<script src="console.js" defer></script>');
    for (const [file, type] of [
      ['console.js', 'javascript'],
      ['console.css', 'text/css'],
      ['favicon.svg', 'image/svg+xml'],
    ]) {
      const res = await fetch(consoleUrl(t, `/${file}`));
      expect([file, res.status, res.headers.get('content-type')]).toEqual([file, 200, expect.stringContaining(type)]);
    }
    // Nothing outside the console's folder, however the path is spelled.
    const escape = await fetch(consoleUrl(t, '/%2e%2e/package.json'));
    expect(escape.status).not.toBe(200);
    expect(await escape.text()).not.toContain('omnichannel-commerce');
  });

  it('is not served with CONSOLE_ENABLED=false', async () => {
    const off = await TestApp.start({ CONSOLE_ENABLED: 'false' });
    try {
      expect((await fetch(consoleUrl(off, '/'))).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
