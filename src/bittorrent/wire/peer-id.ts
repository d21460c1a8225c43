/**
 * Names the client behind a peer id (BEP 20), for evidence and statistics.
 * A peer id is self-declared: it identifies software claims, not people.
 */

/** Azureus-style two-character client codes (BEP 20 and common practice). */
const AZUREUS_CLIENTS: Readonly<Record<string, string>> = {
  AG: 'Ares', 'A~': 'Ares', AR: 'Arctic', AZ: 'Vuze', BB: 'BitBuddy', BC: 'BitComet', BF: 'BitFlu',
  BI: 'BiglyBT', BN: 'Baidu Netdisk', BT: 'BitTorrent', BW: 'BitWombat', CD: 'Enhanced CTorrent',
  DE: 'Deluge', EB: 'EBit', FD: 'Free Download Manager', FG: 'FlashGet', FT: 'FoxTorrent', FW: 'FrostWire',
  FX: 'Freebox BitTorrent', GR: 'GetRight', HL: 'Halite', HN: 'Hydranode', KG: 'KGet', KT: 'KTorrent',
  LP: 'Lphant', LT: 'libtorrent (Rasterbar)', lt: 'libTorrent (rakshasa)', LW: 'LimeWire', MG: 'MediaGet',
  ML: 'MLDonkey', MO: 'MonoTorrent', MR: 'Miro', NX: 'Net Transport', OS: 'OneSwarm', PD: 'Pando',
  PI: 'PicoTorrent', qB: 'qBittorrent', QD: 'QQDownload', RT: 'Retriever', RZ: 'RezTorrent',
  SD: 'Thunder', SZ: 'Shareaza', ST: 'SymTorrent', TL: 'Tribler', TN: 'TorrentDotNET', TR: 'Transmission',
  TS: 'Torrentstorm', TT: 'TuoTu', UL: 'uLeecher', UM: 'µTorrent Mac', UT: 'µTorrent', UW: 'µTorrent Web',
  WD: 'WebTorrent Desktop', WW: 'WebTorrent', XF: 'Xfplay', XL: 'Xunlei', XT: 'XanTorrent', ZT: 'ZipTorrent',
};

const latin1 = new TextDecoder('latin1');
/** -XXvvvv- : '-', two code characters, four version characters, '-' (BEP 20). */
const AZUREUS = /^-([A-Za-z0-9~]{2})([A-Za-z0-9]{4})-/;
/** aria2: "A2-" major "-" minor "-" patch "-", e.g. A2-1-36-0-. */
const ARIA2 = /^A2-(\d{1,3})-(\d{1,3})-(\d{1,3})-/;
/** BEP 20 Mainline style: 'M' then major-minor-patch, padded with '-' to 8 bytes, e.g. M4-3-6-- or M7-10-3-. */
const MAINLINE = /^M(\d{1,2})-(\d{1,2})-(\d{1,2})-/;

/**
 * Returns e.g. "Transmission 3.00", "aria2 1.36.0", or null when the id follows
 * no convention we know. Unknown Azureus codes give "unknown (XX) <version>".
 *
 * Version conventions for Azureus-style ids:
 * - default: the four characters are base-36 digits (0-9, then A=10 ... Z=35;
 *   Deluge -DE13F0- is 1.3.15); the first three give major.minor.patch; the
 *   fourth is appended as a build number only when it is a non-zero decimal
 *   digit, because letters there mark the build type (µTorrent -UT355B-).
 * - Transmission before 4.0 used "major, two-digit minor, flag": -TR3000- is
 *   3.00, -TR294Z- is 2.94+ (Z/X = development build). From 4.0 on it uses the
 *   default layout (-TR4050- is 4.0.5).
 * - BitComet writes "0, major, two-digit minor": -BC0217- is 2.17.
 */
export function parseClient(peerId: Uint8Array): string | null {
  const head = latin1.decode(peerId.subarray(0, 20));
  const az = AZUREUS.exec(head);
  if (az) {
    const [, code = '', ver = ''] = az;
    const name = AZUREUS_CLIENTS[code];
    return name === undefined ? `unknown (${code}) ${defaultVersion(ver)}` : `${name} ${azureusVersion(code, ver)}`;
  }
  const a2 = ARIA2.exec(head);
  if (a2) return `aria2 ${a2.slice(1).map(Number).join('.')}`;
  const ml = MAINLINE.exec(head);
  if (ml) return `BitTorrent (Mainline) ${ml.slice(1).map(Number).join('.')}`;
  return null;
}

export function peerIdToHex(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');
}

function azureusVersion(code: string, v: string): string {
  if (code === 'TR' && /^[0-3]/.test(v)) {
    const dev = v[3] === 'Z' || v[3] === 'X' ? '+' : '';
    return `${v[0]}.${v.slice(1, 3)}${dev}`;
  }
  if (code === 'BC' && /^\d{4}$/.test(v)) return `${Number(v.slice(0, 2))}.${v.slice(2)}`;
  return defaultVersion(v);
}

function defaultVersion(v: string): string {
  const parts = [...v.slice(0, 3)].map((c) => parseInt(c, 36));
  const build = v[3];
  if (build !== undefined && build >= '1' && build <= '9') parts.push(Number(build));
  return parts.join('.');
}
