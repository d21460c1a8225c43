/**
 * uTP serving benchmark (issue 10): bench:serve's measurement with every downloader speaking uTP
 * only (libtorrent 2.0.8, outgoing TCP off), against counterseed and against libtorrent seeding the
 * same decoys over uTP in the same run: throughput and CPU per GB, side by side, with the ratio.
 * uTP on loopback is slow between libtorrent peers (~5 MB/s, INTEROP-NOTES), so it is compared with
 * uTP only, never with bench:serve's TCP figures.
 *
 *   npm run bench:utp -- --n 1,8 --json out.json
 *
 * Time to the first piece over uTP is measured by test/interop/libtorrent.test.ts (printed per run).
 */
process.env.COUNTERSEED_BENCH_TRANSPORT = 'utp';
await import('./serve.bench.ts');
