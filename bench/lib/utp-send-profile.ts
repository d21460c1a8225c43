/**
 * Profiling aid for the uTP send path (issue 10, CPU per GB): not a benchmark with a target (bench:utp is,
 * against libtorrent). This process serves MIB MiB over K uTP connections on 127.0.0.1 through the real
 * UdpPort and UtpMultiplexer; each connection's receiver is a minimal uTP peer in a child process that acks
 * every ACK_EVERY data packets and at the end of each datagram burst (libtorrent's seeders saw about one ack
 * per 3.3 packets in bench:utp). Prints the sending process's CPU per GB (user and system). Attach
 * `node --cpu-prof` or `perf record` to see where it goes.
 *
 *   K=8 MIB=256 node bench/lib/utp-send-profile.ts
 */
import { fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { loadavg } from 'node:os';
import type { DatagramSource } from '../../src/bittorrent/udp/udp-port.ts';
import type { UtpStream } from '../../src/bittorrent/utp/utp-stream.ts';

interface Counts { pkts: number; acks: number; got: number }
const role = process.argv[2] ?? 'seeder';
const MIB = Number(process.env.MIB ?? 128);
const K = Number(process.env.K ?? 1);
if (role === 'seeder') {
  const { UdpPort } = await import('../../src/bittorrent/udp/udp-port.ts');
  const { UtpMultiplexer, DEFAULT_MUX } = await import('../../src/bittorrent/utp/multiplexer.ts');
  const port = await UdpPort.bind('127.0.0.1', 0);
  const chunk = Buffer.alloc(16 << 10, 7);
  let cpu0: NodeJS.CpuUsage; let t0 = 0;
  const mux = new UtpMultiplexer({ ...DEFAULT_MUX, localIp: '127.0.0.1', localPort: port.address().port }, {
    send: (d: Buffer, p: number, ip: string) => port.send(d, p, ip), sender: (p: number, ip: string) => port.sender(p, ip),
    onAccept: (st: UtpStream) => {
      if (t0 === 0) { cpu0 = process.cpuUsage(); t0 = performance.now(); }
      let left = MIB * 64 / K; // 16 KiB chunks
      const pump = () => { while (left > 0) { left--; if (!st.write(chunk)) { st.once('drain', pump); return; } } st.end(); };
      pump();
    },
  });
  mux.start();
  port.attach('utp', (msg: Buffer, from: DatagramSource) => mux.onDatagram(msg, from));
  const children = Array.from({ length: K }, () => fork(new URL(import.meta.url).pathname, ['receiver', String(port.address().port)], { stdio: 'inherit' }));
  const msgs: Counts[] = [];
  for (const child of children) child.on('message', (m0) => {
    msgs.push(m0 as Counts); if (msgs.length < K) return;
    const m = { pkts: msgs.reduce((a, x) => a + x.pkts, 0), acks: msgs.reduce((a, x) => a + x.acks, 0), got: msgs.reduce((a, x) => a + x.got, 0) };
    const c = process.cpuUsage(cpu0); const wall = performance.now() - t0;
    const gb = MIB * 1048576 / 1e9;
    console.log(JSON.stringify({ MiB: MIB, wallS: +(wall / 1e3).toFixed(2), userS: +(c.user / 1e6).toFixed(3), sysS: +(c.system / 1e6).toFixed(3), cpuSPerGB: +(((c.user + c.system) / 1e6) / gb).toFixed(2), userSPerGB: +((c.user / 1e6) / gb).toFixed(2), recv: m, send: port.sendStats, load: loadavg().map((x) => x.toFixed(1)).join(' ') }));
    mux.stop(); void port.close(); for (const c of children) c.kill();
  });
} else {
  const seederPort = Number(process.argv[3]);
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  s.setRecvBufferSize(4 << 20);
  const id = 1234; let ack = 0; let got = 0; let pkts = 0; let acks = 0; let pending = false; let lastTs = 0; let done = false; let sinceAck = 0; const ACK_EVERY = Number(process.env.ACK_EVERY ?? 3);
  const reorder = new Set<number>();
  const hdr = (type: number, seq: number) => { const b = Buffer.alloc(20); b[0] = (type << 4) | 1; b.writeUInt16BE(type === 4 ? id : id, 2); b.writeUInt32BE((performance.now() * 1000) >>> 0, 4); b.writeUInt32BE((((performance.now() * 1000) >>> 0) - lastTs) >>> 0, 8); b.writeUInt32BE(1 << 20, 12); b.writeUInt16BE(seq, 16); b.writeUInt16BE(ack, 18); return b; };
  const sendAck = () => { pending = false; acks++; s.send(hdr(2, 1), seederPort, '127.0.0.1'); };
  s.on('message', (m) => {
    const type = m[0]! >> 4; const seq = m.readUInt16BE(16); lastTs = m.readUInt32BE(4);
    if (type === 2 && ack === 0) { ack = (seq - 1) & 0xffff; sendAck(); return; } // syn-ack: seq_nr is theirs
    if (type === 0 || type === 1) {
      pkts++;
      if (seq === ((ack + 1) & 0xffff)) { ack = seq; got += m.length - 20; while (reorder.delete((ack + 1) & 0xffff)) ack = (ack + 1) & 0xffff; }
      else reorder.add(seq);
      if (type === 1 && !done) { done = true; sendAck(); process.send!({ pkts, acks, got }); return; }
      if (++sinceAck >= ACK_EVERY) { sinceAck = 0; sendAck(); } else if (!pending) { pending = true; setImmediate(() => { if (pending) { sinceAck = 0; sendAck(); } }); }
    }
  });
  const syn = Buffer.alloc(20); syn[0] = (4 << 4) | 1; syn.writeUInt16BE(id - 1, 2); syn.writeUInt32BE(1 << 20, 12); syn.writeUInt16BE(1, 16);
  s.send(syn, seederPort, '127.0.0.1');
}
