import type { Command } from '../command.ts';

/** A command by name, and how to load it: only the command being run is imported. */
export interface CommandEntry {
  readonly name: string;
  load(): Promise<Command>;
}

const entry = (name: string, load: () => Promise<Command>): CommandEntry => ({
  name,
  async load() {
    const c = await load();
    if (c.name !== name) throw new Error(`command table says "${name}" but the module defines "${c.name}"`);
    return c;
  },
});

/**
 * Every command, in help order. Loaded on demand: importing every command's module graph (lab's
 * independent BitTorrent implementation, validation, exports...) cost a running `seed` ~30 MB of
 * RSS (bench/many-decoys.bench.ts).
 */
export const COMMANDS: readonly CommandEntry[] = [
  entry('payload add', async () => (await import('./payload.ts')).payloadAdd),
  entry('payload list', async () => (await import('./payload.ts')).payloadList),
  entry('decoys build', async () => (await import('./decoys.ts')).decoysBuild),
  entry('decoys list', async () => (await import('./decoys.ts')).decoysList),
  entry('decoys export', async () => (await import('./decoys.ts')).decoysExport),
  entry('decoys write', async () => (await import('./decoys.ts')).decoysWrite),
  entry('decoys retire', async () => (await import('./decoys-retire.ts')).decoysRetire),
  entry('campaign create', async () => (await import('./campaign.ts')).campaignCreate),
  entry('campaign list', async () => (await import('./campaign.ts')).campaignList),
  entry('campaign show', async () => (await import('./campaign.ts')).campaignShow),
  entry('campaign tick', async () => (await import('./campaign.ts')).campaignTick),
  entry('seed', async () => (await import('./seed.ts')).seed),
  entry('deliveries', async () => (await import('./deliveries.ts')).deliveries),
  entry('announces', async () => (await import('./announces.ts')).announces),
  entry('lab', async () => (await import('./lab.ts')).lab),
  entry('config docs', async () => (await import('./config.ts')).configDocs),
  entry('config show', async () => (await import('./config.ts')).configShow),
  entry('init', async () => (await import('./evidence.ts')).init),
  entry('evidence key', async () => (await import('./evidence.ts')).evidenceKey),
  entry('evidence checkpoint', async () => (await import('./evidence.ts')).evidenceCheckpoint),
  entry('evidence checkpoints', async () => (await import('./evidence.ts')).evidenceCheckpoints),
  entry('evidence export', async () => (await import('./evidence.ts')).evidenceExport),
  entry('evidence verify', async () => (await import('./evidence.ts')).evidenceVerify),
  entry('decoys hashes', async () => (await import('./decoys-hashes.ts')).decoysHashes),
  entry('decoys identify', async () => (await import('./decoys-identify.ts')).decoysIdentify),
  entry('health', async () => (await import('./health.ts')).health),
  entry('validate', async () => (await import('./validate.ts')).validate),
  entry('centre serve', async () => (await import('./centre.ts')).centreServe),
  entry('centre register', async () => (await import('./centre.ts')).centreRegister),
  entry('centre status', async () => (await import('./centre.ts')).centreStatusCommand),
  entry('centre ship', async () => (await import('./centre.ts')).centreShip),
  entry('centre verify', async () => (await import('./centre.ts')).centreVerify),
  entry('centre assign', async () => (await import('./centre.ts')).centreAssign),
  entry('centre unassign', async () => (await import('./centre.ts')).centreUnassign),
  entry('centre revoke', async () => (await import('./centre.ts')).centreRevoke),
  entry('centre pull', async () => (await import('./centre.ts')).centrePull),
  entry('centre export', async () => (await import('./centre-export.ts')).centreExport),
  entry('geo import', async () => (await import('./geo.ts')).geoImport),
  entry('geo enrich', async () => (await import('./geo.ts')).geoEnrich),
  entry('synth', async () => (await import('./synth.ts')).synth),
  entry('stats', async () => (await import('./stats.ts')).statsCommand),
  entry('dossier', async () => (await import('./intel.ts')).dossierCommand),
  entry('cohorts', async () => (await import('./intel.ts')).cohortsCommand),
  entry('map', async () => (await import('./map.ts')).mapCommand),
  entry('serve', async () => (await import('./serve.ts')).serveCommand),
  entry('users add', async () => (await import('./users.ts')).usersAdd),
  entry('users list', async () => (await import('./users.ts')).usersList),
  entry('users disable', async () => (await import('./users.ts')).usersDisable),
  entry('users reset', async () => (await import('./users.ts')).usersReset),
  entry('access-log export', async () => (await import('./access-log.ts')).accessLogExport),
  entry('access-log verify', async () => (await import('./access-log.ts')).accessLogVerify),
  entry('referrals agencies', async () => (await import('./referrals.ts')).referralsAgencies),
  entry('referrals retention', async () => (await import('./referrals.ts')).referralsRetention),
  entry('referrals jurisdiction', async () => (await import('./referrals.ts')).referralsJurisdiction),
  entry('referrals due', async () => (await import('./referrals.ts')).referralsDueCommand),
  entry('referrals build', async () => (await import('./referrals.ts')).referralsBuild),
  entry('referrals list', async () => (await import('./referrals.ts')).referralsList),
  entry('cases create', async () => (await import('./cases.ts')).casesCreate),
  entry('cases list', async () => (await import('./cases.ts')).casesList),
  entry('cases show', async () => (await import('./cases.ts')).casesShow),
  entry('cases link', async () => (await import('./cases.ts')).casesLink),
  entry('cases note', async () => (await import('./cases.ts')).casesNote),
  entry('cases status', async () => (await import('./cases.ts')).casesStatus),
  entry('retention review', async () => (await import('./retention.ts')).retentionReviewCmd),
  entry('retention run', async () => (await import('./retention.ts')).retentionRunCmd),
  entry('retention hold', async () => (await import('./retention.ts')).retentionHoldCmd),
  entry('retention holds', async () => (await import('./retention.ts')).retentionHoldsCmd),
  entry('retention verify', async () => (await import('./retention.ts')).retentionVerifyCmd),
  entry('sources import', async () => (await import('./sources.ts')).sourcesImport),
  entry('sources list', async () => (await import('./sources.ts')).sourcesList),
  entry('sources match', async () => (await import('./sources.ts')).sourcesMatch),
  entry('sources matches', async () => (await import('./sources.ts')).sourcesMatches),
  entry('risk score', async () => (await import('./risk.ts')).riskScoreCommand),
  entry('risk show', async () => (await import('./risk.ts')).riskShow),
  entry('risk review', async () => (await import('./risk.ts')).riskReview),
];
