import net from 'node:net';

/**
 * Lab traffic stays on this machine: 127.0.0.0/8 (RFC 1122 §3.2.1.3: any
 * 127/8 address is loopback, so Linux accepts them as source addresses
 * without configuration) or ::1.
 */
export function isLoopbackAddress(addr: string): boolean {
  if (net.isIPv4(addr)) return addr.startsWith('127.');
  if (net.isIPv6(addr)) return addr === '::1' || /^::ffff:127\./i.test(addr);
  return false;
}
