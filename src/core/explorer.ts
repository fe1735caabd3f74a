import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import express, { type RequestHandler, type Router } from 'express';
import { PROJECT_ROOT } from './paths';

/**
 * A GraphQL explorer for development (GraphiQL), served from the project's own node_modules so it
 * works offline and sends nothing to a third party: Apollo's default landing page loads its
 * sandbox from Apollo's CDN. It needs introspection, so it exists only where introspection does
 * (not with NODE_ENV=production). The packages are dev dependencies: an install without them
 * simply has no explorer.
 */

/** Where the explorer's page and files are served. */
export const EXPLORER_PATH = '/explorer';

/** The browser bundles, by the name they are served under. */
function assetFiles(): Record<string, string> | undefined {
  // Resolved from the project root, as the service's other packages are (dist/ has no node_modules).
  const req = createRequire(join(PROJECT_ROOT, 'package.json'));
  try {
    const graphiql = dirname(req.resolve('graphiql/package.json'));
    return {
      'react.js': join(dirname(req.resolve('react')), 'umd', 'react.production.min.js'),
      'react-dom.js': join(dirname(req.resolve('react-dom')), 'umd', 'react-dom.production.min.js'),
      'graphiql.js': join(graphiql, 'graphiql.min.js'),
      'graphiql.css': join(graphiql, 'graphiql.min.css'),
    };
  } catch {
    return undefined;
  }
}

// Plain files, no inline script: the page's content policy allows scripts from this origin only.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphQL explorer</title>
<link rel="stylesheet" href="${EXPLORER_PATH}/assets/graphiql.css">
<link rel="stylesheet" href="${EXPLORER_PATH}/explorer.css">
</head>
<body>
<div id="graphiql">Loading the explorer…</div>
<script src="${EXPLORER_PATH}/assets/react.js"></script>
<script src="${EXPLORER_PATH}/assets/react-dom.js"></script>
<script src="${EXPLORER_PATH}/assets/graphiql.js"></script>
<script src="${EXPLORER_PATH}/explorer.js"></script>
</body>
</html>
`;

const STYLE = 'html, body, #graphiql { height: 100%; margin: 0; }\n';

// Queries and mutations over HTTP, subscriptions over WebSocket (GraphiQL bundles graphql-ws and
// sends the Headers tab as connection parameters, which is where the service reads the token).
const SCRIPT = `'use strict';
const url = new URL('/graphql', location.href);
const subscriptionUrl = new URL(url);
subscriptionUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
const fetcher = GraphiQL.createFetcher({ url: url.href, subscriptionUrl: subscriptionUrl.href });
const defaultQuery = '# Signed in (staffSignIn, customerSignIn)? Put the token in Headers:\\n' +
  '# { "authorization": "Bearer <token>" }\\n\\n' +
  '{\\n  products(first: 5) {\\n    edges { node { title variants { sku price { amount currencyCode } availableQuantity } } }\\n  }\\n}\\n';
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: 'headers' }),
);
`;

const headers: RequestHandler = (_req, res, next) => {
  res.setHeader(
    'content-security-policy',
    // GraphiQL's editors set inline styles; scripts and connections stay on this origin.
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  );
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  next();
};

export interface Explorer {
  /** Mount at EXPLORER_PATH. */
  router: Router;
  /** Makes GET /graphql in a browser show the same page instead of Apollo's online sandbox. */
  landingPage: ApolloServerPlugin;
}

/** The explorer, or undefined when its packages are not installed. */
export function createExplorer(): Explorer | undefined {
  const files = assetFiles();
  if (!files) return undefined;
  const router = express.Router();
  router.use(headers);
  router.get('/', (_req, res) => void res.type('html').setHeader('cache-control', 'no-cache').send(PAGE));
  router.get('/explorer.js', (_req, res) => void res.type('js').setHeader('cache-control', 'no-cache').send(SCRIPT));
  router.get('/explorer.css', (_req, res) => void res.type('css').setHeader('cache-control', 'no-cache').send(STYLE));
  // Only the four named files: nothing else from node_modules is reachable.
  router.get('/assets/:file', (req, res, next) => {
    const name = req.params.file;
    if (!Object.hasOwn(files, name)) return next();
    res.sendFile(files[name], { maxAge: '1d' });
  });
  const landingPage: ApolloServerPlugin = {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: PAGE };
        },
      };
    },
  };
  return { router, landingPage };
}
