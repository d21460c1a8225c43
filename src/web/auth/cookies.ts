import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

/**
 * The session cookie. `__Host-` (RFC 6265bis §4.1.3.2) makes browsers accept it only with Secure,
 * Path=/ and no Domain, so no other host or path can plant or shadow it. HttpOnly keeps it from
 * scripts, SameSite=Strict from cross-site requests.
 * Plain http on 127.0.0.1: browsers count http://127.0.0.1 and http://localhost as secure contexts
 * (W3C Secure Contexts §3.2, "potentially trustworthy"), so Chromium stores and sends this Secure
 * cookie there; any other host needs HTTPS (a reverse proxy in front of `counterseed serve`).
 */
export const SESSION_COOKIE = '__Host-counterseed-session';

export function setSessionCookie(c: Context, token: string, maxAgeSec: number): void {
  setCookie(c, SESSION_COOKIE, token, { path: '/', secure: true, httpOnly: true, sameSite: 'Strict', maxAge: maxAgeSec });
}

export const sessionToken = (c: Context): string | undefined => getCookie(c, SESSION_COOKIE);

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'Strict' });
}
