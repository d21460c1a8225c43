import { readFileSync } from 'node:fs';
import { addUser, disableUser, listUsers, resetUser } from '../../app/accounts.ts';
import { withGovernance } from '../../app/governance.ts';
import { otpauthUri } from '../../app/totp.ts';
import { InputError } from '../../domain/errors.ts';
import type { Command } from '../command.ts';

/** The password comes on standard input (first line), never on the command line (ps, shell history). */
function readPassword(): string {
  if (process.stdin.isTTY) throw new InputError('give the password on standard input, e.g. from a password manager: pass show x | counterseed users add ...');
  const line = readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '';
  if (line === '') throw new InputError('no password on standard input');
  return line;
}

const oneName = (positionals: string[]): string => {
  if (positionals.length !== 1) throw new InputError('expected exactly one user NAME');
  return positionals[0]!;
};

export const usersAdd: Command = {
  name: 'users add',
  data: 'existing',
  summary: 'Add a web app account (password on standard input); --totp prints a second-factor secret',
  positionals: 'NAME',
  options: {
    role: { type: 'string', arg: 'ROLE', doc: 'operator, analyst, supervisor, auditor or admin' },
    totp: { type: 'boolean', doc: 'Require a TOTP code (RFC 6238) at login; prints the secret and an otpauth:// URI' },
  },
  async run(args, io) {
    const username = oneName(args.positionals);
    if (typeof args.options.role !== 'string') throw new InputError('--role is required');
    const password = readPassword();
    const r = await withGovernance(io.settings, (g) => addUser(g, { username, role: args.options.role as string, password, totp: args.options.totp === true }));
    io.out(`added ${r.account.username} (${r.account.role})`);
    if (r.totpSecret) io.out(`TOTP secret ${r.totpSecret}\n${otpauthUri('counterseed', username, r.totpSecret)}`);
  },
};

export const usersList: Command = {
  name: 'users list',
  data: 'existing',
  summary: 'List web app accounts',
  options: { json: { type: 'boolean', doc: 'JSON output' } },
  async run(args, io) {
    const users = await withGovernance(io.settings, (g) => listUsers(g));
    if (args.options.json) { io.out(JSON.stringify(users, null, 2)); return; }
    for (const u of users) {
      const state = u.disabled ? 'disabled' : u.lockedUntil !== null && u.lockedUntil > Date.now() ? `locked until ${new Date(u.lockedUntil).toISOString()}` : 'active';
      io.out(`${u.username.padEnd(20)} ${u.role.padEnd(10)} ${state}${u.totp ? ' totp' : ''}`);
    }
  },
};

export const usersDisable: Command = {
  name: 'users disable',
  data: 'existing',
  summary: 'Disable an account and end its sessions',
  positionals: 'NAME',
  async run(args, io) {
    const u = await withGovernance(io.settings, (g) => disableUser(g, oneName(args.positionals)));
    io.out(`disabled ${u.username}`);
  },
};

export const usersReset: Command = {
  name: 'users reset',
  data: 'existing',
  summary: 'Set a new password (standard input), unlock and re-enable an account; --totp issues a new secret',
  positionals: 'NAME',
  options: { totp: { type: 'boolean', doc: 'Issue a new TOTP secret' } },
  async run(args, io) {
    const username = oneName(args.positionals);
    const password = readPassword();
    const r = await withGovernance(io.settings, (g) => resetUser(g, { username, password, totp: args.options.totp === true }));
    io.out(`reset ${r.account.username}`);
    if (r.totpSecret) io.out(`TOTP secret ${r.totpSecret}\n${otpauthUri('counterseed', username, r.totpSecret)}`);
  },
};
