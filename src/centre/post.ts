import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * One POST with a body already in memory, answered with JSON: node:http rather than fetch, which
 * copies a Buffer body twice more into web streams (0.6 and 0.5 s of CPU per 100,000 records in the
 * ingest benchmark; issue 12 target >= 100,000 records/s). Keep-alive, so the catch-up after an
 * outage opens no connection per request.
 */
const agentOptions = { keepAlive: true, maxSockets: 4 };
const httpAgent = new HttpAgent(agentOptions);
const httpsAgent = new HttpsAgent(agentOptions);

export interface JsonAnswer { readonly status: number; readonly body: Record<string, unknown> }

export async function postJson(url: URL, body: Buffer, headers: Record<string, string>, signal: AbortSignal): Promise<JsonAnswer> {
  const https = url.protocol === 'https:';
  if (!https && url.protocol !== 'http:') throw new Error(`the centre's address is not http(s): ${url.href}`);
  signal.throwIfAborted();
  return await new Promise<JsonAnswer>((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(url, {
      method: 'POST', agent: https ? httpsAgent : httpAgent, signal,
      headers: { ...headers, 'content-length': String(body.length) },
    }, (res: IncomingMessage) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        try { resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }); } catch { reject(new Error(`centre: HTTP ${res.statusCode ?? '?'} with a body that is not JSON`)); }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
