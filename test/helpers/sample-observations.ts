import { randomUUID } from 'node:crypto';
import type { DeliveryObservation, TrackerAnnounceObservation } from '../../src/domain/observation.ts';

export function sampleDelivery(decoyId: number, infoHash: string, over: Partial<DeliveryObservation> = {}): DeliveryObservation {
  return {
    kind: 'delivery', sessionId: randomUUID(), decoyId, infoHash, remoteIp: '198.18.0.11', remotePort: 40001,
    localIp: '198.18.0.2', localPort: 6881, transport: 'tcp', encryption: 'mse-rc4', startedAt: 1_764_000_000_123,
    endedAt: 1_764_000_004_456, peerId: Buffer.from('-TR3000-abcdefghijkl').toString('hex'), client: 'Transmission 3.00',
    clientVersion: 'Transmission 3.00', listenPort: 51413, bytesServed: 168_820, blocksServed: 11,
    servedRanges: [[0, 16384], [32768, 168820]], peerPiecesAtStart: 0, peerPiecesAtEnd: 11, completed: true,
    metadataPiecesServed: 1, metadataOnly: false, disconnectReason: 'peer-closed', ...over,
  };
}

export function sampleAnnounce(infoHash: string, decoyId: number | null): TrackerAnnounceObservation {
  return {
    kind: 'tracker-announce', at: 1_764_000_000_000, protocol: 'udp', infoHash, decoyId, remoteIp: '198.18.0.12', remotePort: 6881,
    claimedIp: null, announcedPort: 51413, peerId: Buffer.from('A2-1-36-0-abcdefghij').toString('hex'), event: 'started',
    uploaded: 0, downloaded: 12345, left: 156475,
  };
}
