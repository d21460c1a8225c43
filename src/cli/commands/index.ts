import type { Command } from '../command.ts';
import { announces } from './announces.ts';
import { campaignCreate, campaignList, campaignShow, campaignTick } from './campaign.ts';
import { configDocs, configShow } from './config.ts';
import { decoysBuild, decoysExport, decoysList, decoysWrite } from './decoys.ts';
import { deliveries } from './deliveries.ts';
import { decoysHashes } from './decoys-hashes.ts';
import { evidenceCheckpoint, evidenceExport, evidenceKey, evidenceVerify, init } from './evidence.ts';
import { health } from './health.ts';
import { lab } from './lab.ts';
import { payloadAdd, payloadList } from './payload.ts';
import { seed } from './seed.ts';
import { validate } from './validate.ts';

export const COMMANDS: readonly Command[] = [
  payloadAdd, payloadList, decoysBuild, decoysList, decoysExport, decoysWrite, campaignCreate, campaignList, campaignShow, campaignTick, seed, deliveries, announces, lab, configDocs, configShow,
  init, evidenceKey, evidenceCheckpoint, evidenceExport, evidenceVerify, decoysHashes,
  health,
  validate,
];
