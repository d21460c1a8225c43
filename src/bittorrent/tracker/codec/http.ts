/** BEP 3 / BEP 23 / BEP 48 HTTP tracker codec: query strings and bencoded responses. */
export { parseAnnounceQuery, parseScrapeQuery, buildAnnounceUrl, MAX_ANNOUNCE_QUERY_LEN, MAX_SCRAPE_QUERY_LEN, MAX_HTTP_SCRAPE_HASHES } from './http-query.ts';
export {
  encodeAnnounceResponse, encodeFailure, decodeAnnounceResponse, encodeScrapeResponse, decodeScrapeResponse,
  type AnnouncePeer, type EncodeAnnounceResponseInit, type DecodedAnnounce,
} from './http-response.ts';
