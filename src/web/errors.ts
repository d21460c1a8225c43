import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AuthenticationError, LockedError, PermissionError, StateError } from '../app/governance.ts';
import { BusyError, CounterseedError, InputError, NotFoundError } from '../domain/errors.ts';
import { esc } from './pages/html.ts';

/**
 * THE one place an error becomes an HTTP status (STYLE.md example 7). Use cases throw named
 * errors; the most specific class listed first wins. Anything else is a 500 with no detail (the
 * message goes to the server's log, never to the client).
 */
const BY_CLASS: readonly [abstract new (...a: never[]) => Error, number][] = [
  [LockedError, 429],
  [AuthenticationError, 401],
  [PermissionError, 403],
  [StateError, 409],
  [NotFoundError, 404],
  [BusyError, 503],
  [InputError, 400],
];

export function statusFor(e: unknown): number {
  if (e instanceof HTTPException) return e.status;
  for (const [cls, status] of BY_CLASS) if (e instanceof cls) return status;
  if (e instanceof CounterseedError) return 400;
  return 500;
}

export function onError(log: (m: string) => void) {
  return (e: Error, c: Context): Response => {
    const status = statusFor(e);
    const message = status === 500 ? 'internal error' : e.message;
    if (status === 500) log(`web: ${c.req.method} ${c.req.path}: ${e.stack ?? e.message}`);
    const headers: Record<string, string> = e instanceof LockedError ? { 'retry-after': String(Math.max(1, Math.ceil((e.until - Date.now()) / 1000))) } : {};
    if (c.req.path.startsWith('/api/')) return c.json({ error: message }, status as 400, headers);
    return c.html(`<!doctype html><meta charset="utf-8"><title>Error ${status}</title><h1>Error ${status}</h1><p>${esc(message)}</p><p><a href="/">back</a></p>`, status as 400, headers);
  };
}
