import { randomInt, seededRandom, type Random } from '../../lab/prng.ts';
import type { SyntheticAnnounce, SyntheticCampaign, SyntheticDecoy, SyntheticDelivery } from '../../store/synthetic.ts';
import type { AddressSource } from './population.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface WorkloadPlan {
  readonly deliveries: number;
  readonly seed: number;
  /** UTC ms of the first day (00:00). */
  readonly start: number;
  readonly days: number;
  readonly payloadId: string;
}

/**
 * The behaviour of the synthetic population (issue 11 item 6). Every figure here is an assumption
 * made up for a plausible workload, not a measurement: it exists so the statistics, cohorts and
 * benchmarks have something realistic in shape to work on.
 */
export const BEHAVIOUR = {
  crawlerShare: 0.03,            // addresses that only fetch metadata (indexers), from anywhere
  cgnatShareOfMobile: 0.3,       // mobile-operator addresses that are a CGNAT gateway for several devices
  cgnatDevices: [3, 15],
  meanSessionsPerVisit: 4,
  completion: 0.55,              // a session delivers the whole warning (exposure)
  metadataOnly: 0.06,            // a normal client's session that stops after the metadata
  returnIfExposed: 0.45,         // chance of another visit after a visit with an exposure...
  returnIfNot: 0.6,              // ...and after one without: the warning deters (a little)
  meanGapDays: 14,
  maxVisits: 40,
  // Evening peak (Norway is UTC+1/+2): weights per UTC hour.
  hours: [2, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 8, 10, 11, 11, 9, 6, 3],
} as const;

const CAMPAIGNS = [
  { name: 'synthetic-campaign-no', lang: 'no', weight: 5 },
  { name: 'synthetic-campaign-en', lang: 'en', weight: 3 },
  { name: 'synthetic-campaign-pl', lang: 'pl', weight: 2 },
];
const FORMATS = ['mp4', 'mkv', 'zip', 'avi', 'pdf'];
const STEMS = ['holiday-video', 'family-trip', 'garden-diary', 'concert-clip', 'cooking-show'];
const CLIENTS: readonly [string, string, number][] = [
  ['qBittorrent', '4.6.7', 30], ['qBittorrent', '5.0.4', 20], ['Transmission', '4.0.6', 15], ['µTorrent', '3.6.0', 12],
  ['Deluge', '2.1.1', 8], ['BiglyBT', '3.7.0', 5], ['libtorrent', '2.0.10', 10],
];
const TTL_DAYS = 90;

export interface Workload {
  readonly campaigns: SyntheticCampaign[];
  readonly decoys: SyntheticDecoy[];
  /** Batches of deliveries and announces until exactly plan.deliveries deliveries. */
  batches(batchSize: number): Generator<{ deliveries: SyntheticDelivery[]; announces: SyntheticAnnounce[] }>;
  readonly stats: { ips: number; crawlers: number; cgnat: number };
}

export function syntheticWorkload(plan: WorkloadPlan, addresses: AddressSource): Workload {
  const rand = seededRandom(plan.seed);
  const end = plan.start + plan.days * DAY;
  const campaigns: SyntheticCampaign[] = CAMPAIGNS.map((c, i) => ({ id: i + 1, name: c.name, perDay: 1, ttlDays: TTL_DAYS, createdAt: plan.start }));
  const decoys: SyntheticDecoy[] = [];
  const byDay: SyntheticDecoy[][] = Array.from({ length: plan.days }, () => []);
  for (const [ci, c] of CAMPAIGNS.entries()) {
    for (let seq = 0; seq < plan.days; seq++) {
      const id = decoys.length + 1;
      const format = FORMATS[(seq + ci) % FORMATS.length]!;
      const releasedAt = plan.start + seq * DAY + 9 * HOUR;
      const d: SyntheticDecoy = {
        id, infoHash: hex20(rand), name: `${STEMS[seq % STEMS.length]}-${String(seq).padStart(4, '0')}.${format}`, payloadId: plan.payloadId,
        size: (50 + randomInt(rand, 850)) * 1_048_576, pieceLength: 1_048_576, createdAt: releasedAt,
        status: releasedAt + TTL_DAYS * DAY <= end ? 'retired' : 'active', format, campaignId: ci + 1, seq, lang: c.lang, releasedAt,
      };
      decoys.push(d);
      for (let k = seq; k < Math.min(plan.days, seq + TTL_DAYS); k++) byDay[k]!.push(d);
    }
  }
  const hourTotal = BEHAVIOUR.hours.reduce((a, b) => a + b, 0);
  const clientTotal = CLIENTS.reduce((a, c) => a + c[2], 0);
  const stats = { ips: 0, crawlers: 0, cgnat: 0 };

  const timeOn = (day: number) => {
    let x = rand() * hourTotal;
    let h = 0;
    while ((x -= BEHAVIOUR.hours[h]!) >= 0 && h < 23) h++;
    return plan.start + day * DAY + h * HOUR + randomInt(rand, HOUR);
  };
  const pickDecoy = (day: number) => { const list = byDay[day]!; return list[randomInt(rand, list.length)]!; };
  const device = () => {
    let x = rand() * clientTotal;
    const c = CLIENTS.find((k) => (x -= k[2]) < 0) ?? CLIENTS[0]!;
    return { client: c[0], version: c[1], listenPort: 1024 + randomInt(rand, 64000) };
  };

  function* batches(batchSize: number): Generator<{ deliveries: SyntheticDelivery[]; announces: SyntheticAnnounce[] }> {
    let made = 0;
    let dl: SyntheticDelivery[] = [];
    let an: SyntheticAnnounce[] = [];
    const push = (d: SyntheticDelivery) => { dl.push(d); made++; };
    while (made < plan.deliveries) {
      const addr = addresses.next();
      stats.ips++;
      const crawler = !addr.norwegian && rand() < BEHAVIOUR.crawlerShare / (1 - 0.8);
      if (crawler) {
        stats.crawlers++;
        const n = 20 + randomInt(rand, 180);
        for (let i = 0; i < n && made < plan.deliveries; i++) {
          const day = randomInt(rand, plan.days);
          const k = pickDecoy(day);
          const t = timeOn(day);
          push(session(rand, made, addr.ip, k, t, { client: 'libtorrent', version: '1.2.19', listenPort: 6881 }, hex20bytes(rand), 'metadata'));
        }
      } else {
        const cgnat = addr.mobile && rand() < BEHAVIOUR.cgnatShareOfMobile;
        if (cgnat) stats.cgnat++;
        const [lo, hi] = BEHAVIOUR.cgnatDevices;
        const devices = cgnat ? lo + randomInt(rand, hi - lo + 1) : 1;
        for (let dv = 0; dv < devices && made < plan.deliveries; dv++) {
          const dev = device();
          let day = randomInt(rand, plan.days);
          for (let v = 0; v < BEHAVIOUR.maxVisits && day < plan.days && made < plan.deliveries; v++) {
            const peerId = hex20bytes(rand); // clients make a new peer id each start
            const sessions = 1 + Math.floor(-Math.log(1 - rand()) * (BEHAVIOUR.meanSessionsPerVisit - 1));
            let exposed = false;
            let t = timeOn(day);
            const first = pickDecoy(day);
            an.push({ at: t - 5000, infoHash: first.infoHash, decoyId: first.id, remoteIp: addr.ip, remotePort: dev.listenPort, peerId, event: 'started', left: first.size });
            for (let s = 0; s < sessions && made < plan.deliveries; s++) {
              const k = s === 0 ? first : pickDecoy(day);
              const r = rand();
              const kind = r < BEHAVIOUR.metadataOnly ? 'metadata' : r < BEHAVIOUR.metadataOnly + BEHAVIOUR.completion ? 'complete' : 'partial';
              const d = session(rand, made, addr.ip, k, t, dev, peerId, kind);
              push(d);
              if (kind === 'complete') exposed = true;
              t = d.endedAt + randomInt(rand, 10 * 60_000);
            }
            if (rand() >= (exposed ? BEHAVIOUR.returnIfExposed : BEHAVIOUR.returnIfNot)) break;
            day += 1 + Math.floor(-Math.log(1 - rand()) * BEHAVIOUR.meanGapDays);
          }
        }
      }
      if (dl.length >= batchSize) { yield { deliveries: dl, announces: an }; dl = []; an = []; }
    }
    if (dl.length > 0 || an.length > 0) yield { deliveries: dl, announces: an };
  }
  return { campaigns, decoys, batches, stats };
}

function session(rand: Random, n: number, ip: string, k: SyntheticDecoy, t: number, dev: { client: string; version: string; listenPort: number }, peerId: Uint8Array,
  kind: 'metadata' | 'complete' | 'partial'): SyntheticDelivery {
  const rate = (1 + rand() * 9) * 1_048_576; // 1-10 MiB/s
  const bytes = kind === 'complete' ? k.size : kind === 'partial' ? Math.floor(k.size * rand() * 0.9) : 0;
  const dur = kind === 'metadata' ? 500 + randomInt(rand, 4000) : Math.max(1000, Math.round((bytes / rate) * 1000));
  return {
    sessionId: `synthetic-${n}`, decoyId: k.id, infoHash: k.infoHash, remoteIp: ip, remotePort: 1024 + randomInt(rand, 64000),
    localIp: '198.18.0.10', localPort: 6881, encryption: rand() < 0.3 ? 'mse-rc4' : 'none', startedAt: t, endedAt: t + dur,
    peerId, client: dev.client, clientVersion: `${dev.client} ${dev.version}`, listenPort: dev.listenPort, bytesServed: bytes,
    piecesAtEnd: Math.floor(bytes / k.pieceLength), completed: kind === 'complete', metadataOnly: kind === 'metadata',
    disconnectReason: kind === 'complete' ? 'peer-complete' : 'peer-closed',
  };
}

function hex20(rand: Random): string {
  let s = '';
  for (let i = 0; i < 40; i++) s += randomInt(rand, 16).toString(16);
  return s;
}
function hex20bytes(rand: Random): Uint8Array {
  const b = new Uint8Array(20);
  for (let i = 0; i < 20; i++) b[i] = randomInt(rand, 256);
  return b;
}
