import { join } from 'node:path';
import express, { type RequestHandler } from 'express';
import { PROJECT_ROOT } from './paths';

/** The static files of the reference pickup console, kept at the project root so dist/ needs no copy. */
export const CONSOLE_DIR = join(PROJECT_ROOT, 'console');

/**
 * Serves the pickup console at /console. The page holds a staff token, so it may load only its
 * own files, talk only to this origin (HTTP and WebSocket) and never be framed.
 */
export function consoleRoute(): RequestHandler[] {
  const headers: RequestHandler = (_req, res, next) => {
    res.setHeader(
      'content-security-policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('cache-control', 'no-cache');
    next();
  };
  return [headers, express.static(CONSOLE_DIR, { index: 'index.html', redirect: true })];
}
