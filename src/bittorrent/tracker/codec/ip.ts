/**
 * Textual IP addresses <-> network-order bytes, for compact peer lists (BEP 23, BEP 7) and BEP 15's
 * u32 `ip` field. The one implementation lives in domain/ip-address.ts; this re-export keeps the
 * codec's imports local.
 */
export { formatIPv4, formatIPv6, ipFamily, parseIPv4, parseIPv6, socketIp as normalizeIp } from '../../../domain/ip-address.ts';
