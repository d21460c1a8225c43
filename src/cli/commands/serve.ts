import { InputError } from '../../domain/errors.ts';
import { optionalInt } from '../args.ts';
import type { Command } from '../command.ts';

export const serveCommand: Command = {
  name: 'serve',
  data: 'existing',
  settings: ['webWorkers'],
  summary: 'Serve the analyst web app and HTTP API (its own process; 127.0.0.1 unless --host)',
  options: {
    port: { type: 'string', arg: 'N', doc: 'TCP port (default 8080; 0 picks a free one)' },
    host: { type: 'string', arg: 'ADDR', doc: 'Address to bind (default 127.0.0.1; anything else belongs behind a TLS reverse proxy)' },
    demo: { type: 'boolean', doc: 'Lab data only: make demo accounts (one per role, fresh passwords) and print them' },
  },
  async run(args, io) {
    const port = optionalInt(args, 'port', 0, 65535) ?? 8080;
    const host = typeof args.options.host === 'string' ? args.options.host : '127.0.0.1';
    if (!/^[0-9a-fA-F:.]+$/.test(host)) throw new InputError(`--host must be an IP address, got "${host}"`);
    // The web skin is loaded only by this command (the CLI's other commands never import it).
    const { serveWeb } = await import('../../web/serve.ts');
    await serveWeb(io.settings, io.err, {
      port, host, signal: io.signal, demo: args.options.demo === true,
      onDemo: (accounts) => { for (const a of accounts) io.out(`demo account: ${a.username} / ${a.password} (${a.role})`); },
      onListening: (url) => io.out(`serving ${url} (log in: counterseed users add NAME --role ROLE; stop with Ctrl-C)`),
    });
  },
};
