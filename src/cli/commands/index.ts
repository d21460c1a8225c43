import type { Command } from '../command.ts';
import { announces } from './announces.ts';
import { configDocs, configShow } from './config.ts';
import { decoysBuild, decoysExport, decoysList, decoysWrite } from './decoys.ts';
import { deliveries } from './deliveries.ts';
import { lab } from './lab.ts';
import { payloadAdd, payloadList } from './payload.ts';
import { seed } from './seed.ts';

export const COMMANDS: readonly Command[] = [
  payloadAdd, payloadList, decoysBuild, decoysList, decoysExport, decoysWrite, seed, deliveries, announces, lab, configDocs, configShow,
];
